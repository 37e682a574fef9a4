import { useState } from 'react';

import { messageOf, useApi, useQuery } from '../api/hooks';
import { dateTime } from '../format';
import { Alert } from '../components/Alert';
import { showControls as shown } from '../../../main/visibleText';

export function AuditView({ caseId }: { caseId: string }) {
  const api = useApi();
  const entries = useQuery('audit:list', { caseId, newest: true, limit: 1000 });
  const [check, setCheck] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);

  const verify = async () => {
    try {
      const result = await api.call('audit:verify', { caseId });
      setFailed(result.problems.length > 0);
      setCheck(
        result.problems.length
          ? `The chain is BROKEN: ${result.problems.join('; ')}`
          : `The chain holds: ${result.entries} entries, none altered, removed or reordered.`,
      );
    } catch (err) {
      setFailed(true);
      setCheck(messageOf(err));
    }
  };

  return (
    <section aria-labelledby="audit-heading">
      <h2 id="audit-heading">Audit log</h2>
      <div className="toolbar">
        <button type="button" onClick={() => void verify()}>
          Verify the chain
        </button>
        <p role="status" className={failed ? 'error' : undefined}>
          {check}
        </p>
      </div>
      <Alert message={entries.error} />
      <table className="audit">
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">When</th>
            <th scope="col">Who</th>
            <th scope="col">What</th>
            <th scope="col">On</th>
            <th scope="col">Hash</th>
          </tr>
        </thead>
        <tbody>
          {[...(entries.data ?? [])].reverse().map((e) => (
            <tr key={e.seq}>
              <td data-label="#">{e.seq}</td>
              <td data-label="When">{dateTime(e.at)}</td>
              <td data-label="Who">{shown(e.actor)}</td>
              <td data-label="What">{e.action}</td>
              <td data-label="On">{shown(e.subject ?? '—')}</td>
              <td data-label="Hash">
                <code title={e.hash}>{e.hash.slice(0, 12)}…</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
