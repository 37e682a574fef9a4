import { useRef, useState } from 'react';

import type { CaseOverview, EvidenceView } from '../../../main/api/contract';
import type { StagedFile } from '../api/client';
import { messageOf, useApi, useQuery } from '../api/hooks';
import { bytes, dateTime } from '../format';
import { Alert } from '../components/Alert';
import { showControls as shown } from '../../../main/visibleText';

/** A transcription that ended so can be asked for again. */
const ENDED_BADLY: readonly string[] = ['failed', 'cancelled'];

const VERIFIED: Record<string, string> = {
  ok: 'Copy matches',
  mismatch: 'COPY ALTERED',
  missing: 'COPY MISSING',
};

function Hash({ label, value }: { label: string; value: string }) {
  return (
    <span className="hash">
      <abbr title={label}>{label}</abbr> <code title={value}>{value}</code>
    </span>
  );
}

/** Files in: the system dialog in the desktop app, a file chooser and an upload in web mode. */
function ImportForm({ caseId, onImported }: { caseId: string; onImported: () => void }) {
  const api = useApi();
  const input = useRef<HTMLInputElement>(null);
  const [exhibit, setExhibit] = useState('');
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const importStaged = async (staged: StagedFile[]) => {
    for (const [i, file] of staged.entries()) {
      setStatus(`Hashing and storing ${file.name} (${i + 1} of ${staged.length})…`);
      const { duplicate, item } = await api.call('evidence:import', {
        caseId,
        stagedId: file.stagedId,
        ...(exhibit.trim() ? { exhibitRef: exhibit.trim() } : {}),
      });
      if (duplicate) setStatus(`${file.name} is already item ${item.id}: nothing new stored.`);
    }
  };

  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      let staged: StagedFile[];
      if (api.picksFiles) {
        staged = await api.pickFiles();
      } else {
        const files = [...(input.current?.files ?? [])];
        staged = [];
        for (const [i, file] of files.entries()) {
          staged.push(
            await api.upload(file, (f) =>
              setStatus(
                `Sending ${file.name} (${i + 1} of ${files.length}): ${Math.round(f * 100)}%`,
              ),
            ),
          );
        }
      }
      await importStaged(staged);
      setStatus(
        staged.length ? `Imported ${staged.length} file${staged.length > 1 ? 's' : ''}.` : null,
      );
      if (input.current) input.current.value = '';
      setExhibit('');
      onImported();
    } catch (err) {
      setError(messageOf(err));
      setStatus(null);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className="import"
      onSubmit={(e) => {
        e.preventDefault();
        void run();
      }}
    >
      {!api.picksFiles && (
        <label>
          Files to import
          <input ref={input} type="file" multiple required />
        </label>
      )}
      <label>
        Exhibit reference (optional)
        <input
          value={exhibit}
          onChange={(e) => setExhibit(e.target.value)}
          placeholder="JS/1"
          maxLength={64}
        />
      </label>
      <button type="submit" className="primary" disabled={busy}>
        {api.picksFiles ? 'Choose files and import…' : 'Import'}
      </button>
      <p role="status" aria-live="polite">
        {status}
      </p>
      <Alert message={error} />
    </form>
  );
}

function Actions({
  caseId,
  item,
  model,
  transcript,
  onStarted,
}: {
  caseId: string;
  item: EvidenceView;
  model: string | undefined;
  /** The state of the item's transcription, when one is under way or done. */
  transcript: string | undefined;
  onStarted: (error: string | null) => void;
}) {
  const api = useApi();
  if (transcript === 'done') return <span className="muted">Transcribed</span>;
  if (transcript) return <span className="muted">Transcription {transcript}</span>;
  const start = async (work: () => Promise<unknown>) => {
    try {
      await work();
      onStarted(null);
    } catch (err) {
      onStarted(messageOf(err));
    }
  };
  if (item.role === 'recording') {
    return (
      <button
        type="button"
        disabled={!model}
        onClick={() =>
          void start(() =>
            api.call('transcribe:start', { caseId, evidenceIds: [item.id], modelId: model! }),
          )
        }
      >
        Transcribe<span className="visually-hidden"> {shown(item.originalName)}</span>
      </button>
    );
  }
  if (item.role === 'file') {
    return (
      <button
        type="button"
        onClick={() => void start(() => api.call('ingest:start', { caseId, evidenceId: item.id }))}
      >
        Read messages<span className="visually-hidden"> from {shown(item.originalName)}</span>
      </button>
    );
  }
  return <span className="muted">Read into messages</span>;
}

export function EvidencePanel({
  overview,
  onChanged,
  onJobs,
}: {
  overview: CaseOverview;
  onChanged: () => void;
  onJobs: () => void;
}) {
  const api = useApi();
  const caseId = overview.case.id;
  const models = useQuery('models:speech', {});
  const installed = models.data?.filter((m) => m.installed) ?? [];
  const [model, setModel] = useState<string | undefined>(undefined);
  const chosen = model ?? installed[0]?.id;
  const [error, setError] = useState<string | null>(null);
  const open = overview.case.status === 'open';

  const started = (err: string | null) => {
    setError(err);
    if (!err) onJobs();
  };

  return (
    <section aria-labelledby="evidence-heading">
      <h2 id="evidence-heading">Evidence</h2>
      {open && <ImportForm caseId={caseId} onImported={onChanged} />}
      <div className="toolbar">
        <label>
          Speech model
          <select value={chosen ?? ''} onChange={(e) => setModel(e.target.value)}>
            {installed.length === 0 && <option value="">none installed</option>}
            {installed.map((m) => (
              <option key={m.id} value={m.id}>
                {m.id} ({m.languages})
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          disabled={overview.evidence.length === 0}
          onClick={() =>
            void api.call('evidence:verify', { caseId }).then(
              () => started(null),
              (err: unknown) => setError(messageOf(err)),
            )
          }
        >
          Verify every stored copy
        </button>
        {overview.messages === 0 ? null : (
          <button
            type="button"
            onClick={() =>
              void api.call('translate:start', { caseId }).then(
                () => started(null),
                (err: unknown) => setError(messageOf(err)),
              )
            }
          >
            Translate messages
          </button>
        )}
      </div>
      <Alert message={error} />
      {overview.evidence.length === 0 ? (
        <p>No evidence in this case yet.</p>
      ) : (
        <table className="evidence">
          <caption className="visually-hidden">Evidence items with their hashes</caption>
          <thead>
            <tr>
              <th scope="col">Item</th>
              <th scope="col">File</th>
              <th scope="col">Hashes at import</th>
              <th scope="col">Imported</th>
              <th scope="col">Stored copy</th>
              <th scope="col">Action</th>
            </tr>
          </thead>
          <tbody>
            {overview.evidence.map((item) => (
              <tr key={item.id}>
                <td data-label="Item">
                  {item.id}
                  {item.exhibitRef && <div className="muted">{shown(item.exhibitRef)}</div>}
                </td>
                <td data-label="File">
                  <span className="filename">{shown(item.originalName)}</span>
                  <div className="muted">{bytes(item.size)}</div>
                </td>
                <td data-label="Hashes at import">
                  <Hash label="SHA-256" value={item.sha256} />
                  <Hash label="MD5" value={item.md5} />
                </td>
                <td data-label="Imported">
                  {dateTime(item.importedAt)}
                  <div className="muted">{shown(item.importedBy)}</div>
                </td>
                <td
                  data-label="Stored copy"
                  className={item.verified && item.verified !== 'ok' ? 'error' : undefined}
                >
                  {item.verified ? VERIFIED[item.verified] : 'Not verified since import'}
                </td>
                <td data-label="Action">
                  {open && (
                    <Actions
                      caseId={caseId}
                      item={item}
                      model={chosen}
                      transcript={
                        overview.transcripts.find(
                          (t) => t.evidenceId === item.id && !ENDED_BADLY.includes(t.state),
                        )?.state
                      }
                      onStarted={started}
                    />
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
