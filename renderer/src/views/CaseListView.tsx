import { useState, type FormEvent } from 'react';

import type { CaseSummary } from '../../../main/api/contract';
import { messageOf, useApi, useQuery } from '../api/hooks';
import { dateTime } from '../format';
import { Alert } from '../components/Alert';
import { showControls as shown } from '../../../main/visibleText';

const CLASSIFICATIONS = ['OFFICIAL', 'OFFICIAL-SENSITIVE'];

function NewCaseForm({ onCreated }: { onCreated: (c: CaseSummary) => void }) {
  const api = useApi();
  const [fields, setFields] = useState({
    reference: '',
    title: '',
    owner: '',
    classification: 'OFFICIAL-SENSITIVE',
  });
  const [error, setError] = useState<string | null>(null);
  const set = (name: keyof typeof fields) => (e: { target: { value: string } }) =>
    setFields({ ...fields, [name]: e.target.value });

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      onCreated(await api.call('cases:create', fields));
    } catch (err) {
      setError(messageOf(err));
    }
  };

  return (
    <form className="panel" onSubmit={(e) => void submit(e)} aria-labelledby="new-case">
      <h2 id="new-case">New case</h2>
      <div className="fields">
        <label>
          Reference
          <input
            required
            value={fields.reference}
            onChange={set('reference')}
            placeholder="e.g. OP-ARCTIC/2026/0042"
          />
        </label>
        <label>
          Title
          <input required value={fields.title} onChange={set('title')} />
        </label>
        <label>
          Owner
          <input required value={fields.owner} onChange={set('owner')} placeholder="e.g. DS Kaur" />
        </label>
        <label>
          Classification
          <select value={fields.classification} onChange={set('classification')}>
            {CLASSIFICATIONS.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </label>
      </div>
      <Alert message={error} />
      <button type="submit" className="primary">
        Create case
      </button>
    </form>
  );
}

export function CaseListView({ onOpen }: { onOpen: (c: CaseSummary) => void }) {
  const cases = useQuery('cases:list', {});

  return (
    <>
      <section className="panel">
        <h1>Cases</h1>
        <Alert message={cases.error} />
        {cases.data?.length === 0 && <p>No cases yet: create the first below.</p>}
        {cases.data && cases.data.length > 0 && (
          <table>
            <thead>
              <tr>
                <th scope="col">Reference</th>
                <th scope="col">Title</th>
                <th scope="col">Owner</th>
                <th scope="col">Marking</th>
                <th scope="col">Status</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {cases.data.map((c) => (
                <tr key={c.id}>
                  <td>
                    <button type="button" className="link" onClick={() => onOpen(c)}>
                      {shown(c.reference)}
                    </button>
                  </td>
                  <td>{shown(c.title)}</td>
                  <td>{shown(c.owner)}</td>
                  <td>
                    <span className="marking">{c.classification}</span>
                  </td>
                  <td>{c.status}</td>
                  <td>{dateTime(c.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <NewCaseForm onCreated={onOpen} />
    </>
  );
}
