import { useState } from 'react';

import type { JobView } from '../../../main/api/contract';
import { messageOf, useApi } from '../api/hooks';
import { dateTime } from '../format';
import { Alert } from '../components/Alert';

const KINDS: Record<string, string> = {
  transcribe: 'Transcription',
  ingest: 'Reading an extraction',
  'language.detect': 'Telling languages',
  translate: 'Translation',
  'evidence.verify': 'Verifying stored copies',
  speakers: 'Suggesting speakers',
};

const STATES: Record<JobView['state'], string> = {
  queued: 'Waiting',
  running: 'Running',
  paused: 'Paused',
  done: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

export function JobsPanel({ caseId, jobs }: { caseId: string; jobs: JobView[] }) {
  const api = useApi();
  const [error, setError] = useState<string | null>(null);
  const newest = [...jobs].sort((a, b) => b.createdAt.localeCompare(a.createdAt));

  const cancel = async (job: JobView) => {
    setError(null);
    try {
      await api.call('jobs:cancel', { caseId, jobId: job.id });
    } catch (err) {
      setError(messageOf(err));
    }
  };

  return (
    <section aria-labelledby="jobs-heading">
      <h2 id="jobs-heading">Jobs</h2>
      <Alert message={error} />
      {newest.length === 0 && <p>No jobs yet: transcribe a recording or read an extraction.</p>}
      <ul className="jobs">
        {newest.map((job) => {
          const percent = Math.round(job.progress * 100);
          const going = job.state === 'queued' || job.state === 'running';
          return (
            <li key={job.id} className={`job ${job.state}`}>
              <div className="job-title">
                <strong>{KINDS[job.kind] ?? job.kind}</strong> · {job.subject}{' '}
                <span className="muted">({job.id.slice(0, 8)})</span>
              </div>
              <div className="job-state">
                <span className="state">{STATES[job.state]}</span>
                {going && (
                  <progress
                    max={100}
                    value={percent}
                    aria-label={`${KINDS[job.kind] ?? job.kind} progress`}
                  >
                    {percent}%
                  </progress>
                )}
                {going && <span>{percent}%</span>}
                {job.stage && going && <span className="muted">{job.stage}</span>}
                {job.error && <span className="error">{job.error}</span>}
                {job.outcome && <span>{job.outcome}</span>}
                {!going && <span className="muted">{dateTime(job.finishedAt)}</span>}
                {going && (
                  <button
                    type="button"
                    disabled={job.cancelRequested}
                    onClick={() => void cancel(job)}
                  >
                    {job.cancelRequested ? 'Cancelling…' : 'Cancel'}
                    <span className="visually-hidden"> job {job.id.slice(0, 8)}</span>
                  </button>
                )}
              </div>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
