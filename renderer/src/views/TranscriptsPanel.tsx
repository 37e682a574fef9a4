import { useState } from 'react';

import type { TranscriptSummary } from '../../../main/api/contract';
import { clock } from '../format';
import { TranscriptView } from './TranscriptView';
import { showControls as shown } from '../../../main/visibleText';

export function TranscriptsPanel({
  caseId,
  transcripts,
  onChanged,
}: {
  caseId: string;
  transcripts: TranscriptSummary[];
  /** A correction was saved: the list's versions are read again. */
  onChanged: () => void;
}) {
  const [open, setOpen] = useState<number | null>(null);
  if (open !== null) {
    return (
      <TranscriptView
        caseId={caseId}
        transcriptId={open}
        onBack={() => setOpen(null)}
        onChanged={onChanged}
      />
    );
  }
  return (
    <section aria-labelledby="transcripts-heading">
      <h2 id="transcripts-heading">Transcripts</h2>
      {transcripts.length === 0 ? (
        <p>No transcripts yet: transcribe a recording from the Evidence tab.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Transcript</th>
              <th scope="col">Recording</th>
              <th scope="col">Length</th>
              <th scope="col">Language</th>
              <th scope="col">Model</th>
              <th scope="col">Version</th>
              <th scope="col">State</th>
            </tr>
          </thead>
          <tbody>
            {transcripts.map((t) => (
              <tr key={t.id}>
                <td>
                  {t.state === 'done' ? (
                    <button type="button" className="link" onClick={() => setOpen(t.id)}>
                      Transcript {t.id}
                    </button>
                  ) : (
                    `Transcript ${t.id}`
                  )}
                </td>
                <td>
                  {shown(t.name)} <span className="muted">(item {t.evidenceId})</span>
                </td>
                <td>{t.durationMs ? clock(t.durationMs) : '—'}</td>
                <td>{t.language ?? '—'}</td>
                <td>{t.modelId}</td>
                <td>
                  {t.version}
                  {t.signedOff && ' (signed off)'}
                </td>
                <td>{t.state}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
