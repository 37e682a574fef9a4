import { useEffect, useState } from 'react';

import type { JobView, MessageFilter } from '../../../main/api/contract';
import { useApi, useQuery } from '../api/hooks';
import { Tabs } from '../components/Tabs';
import { AuditView } from './AuditView';
import { EvidencePanel } from './EvidencePanel';
import { JobsPanel } from './JobsPanel';
import { MessagesView } from './MessagesView';
import { NetworkView } from './NetworkView';
import { TranscriptsPanel } from './TranscriptsPanel';
import { Waiting } from '../components/Alert';
import { showControls as shown } from '../../../main/visibleText';

const ENDED: readonly string[] = ['done', 'failed', 'cancelled'];

/** One case: its evidence, jobs, transcripts, messages, network and audit log, as tabs. */
export function CaseView({ caseId, onClose }: { caseId: string; onClose: () => void }) {
  const api = useApi();
  const overview = useQuery('cases:open', { caseId });
  const [tab, setTab] = useState('evidence');
  // The messages' filter, kept across tabs while the case is open; the network view sets a sender.
  const [messageFilter, setMessageFilter] = useState<MessageFilter>({});
  const [live, setLive] = useState(new Map<string, JobView>());

  // Jobs change as they run; a job that ends may bring transcripts or messages with it.
  useEffect(
    () =>
      api.onEvent((event) => {
        if (event.caseId !== caseId) return;
        setLive((m) => new Map(m).set(event.job.id, event.job));
        if (ENDED.includes(event.job.state)) overview.reload();
      }),
    [api, caseId, overview.reload],
  );

  const data = overview.data;
  if (!data) {
    return <Waiting error={overview.error} doing="Opening the case…" />;
  }
  // An ended job as the case last read it is final; a job still going is as its last event says.
  const jobs = data.jobs.map((j) => (ENDED.includes(j.state) ? j : (live.get(j.id) ?? j)));
  for (const l of live.values()) if (!jobs.some((j) => j.id === l.id)) jobs.push(l);
  const active = jobs.filter((j) => j.state === 'queued' || j.state === 'running').length;

  return (
    <>
      <nav aria-label="Breadcrumb" className="crumbs">
        <button type="button" className="link" onClick={onClose}>
          Cases
        </button>
        <span aria-hidden="true"> / </span>
        <span aria-current="page">{shown(data.case.reference)}</span>
      </nav>
      <header className="case-header">
        <h1>
          {shown(data.case.reference)} <span className="subtitle">{shown(data.case.title)}</span>
        </h1>
        <p>
          <span className="marking">{data.case.classification}</span> Owner {shown(data.case.owner)}{' '}
          · {data.case.status === 'open' ? 'Open' : 'Closed: read only'}
        </p>
      </header>
      <Tabs
        label="Case"
        current={tab}
        onSelect={setTab}
        tabs={[
          { id: 'evidence', label: 'Evidence', badge: String(data.evidence.length) },
          { id: 'jobs', label: 'Jobs', ...(active ? { badge: `${active} running` } : {}) },
          { id: 'transcripts', label: 'Transcripts', badge: String(data.transcripts.length) },
          { id: 'messages', label: 'Messages', badge: data.messages.toLocaleString('en-GB') },
          { id: 'network', label: 'Network' },
          { id: 'audit', label: 'Audit log' },
        ]}
      >
        {tab === 'evidence' && (
          <EvidencePanel
            overview={data}
            onChanged={overview.reload}
            onJobs={() => setTab('jobs')}
          />
        )}
        {tab === 'jobs' && <JobsPanel caseId={caseId} jobs={jobs} />}
        {tab === 'transcripts' && (
          <TranscriptsPanel
            caseId={caseId}
            transcripts={data.transcripts}
            onChanged={overview.reload}
          />
        )}
        {tab === 'messages' && (
          <MessagesView
            caseId={caseId}
            total={data.messages}
            initial={messageFilter}
            onFilter={setMessageFilter}
            onJobs={() => setTab('jobs')}
          />
        )}
        {tab === 'network' && (
          <NetworkView
            caseId={caseId}
            onMessagesOf={(identifier) => {
              setMessageFilter({ participant: identifier });
              setTab('messages');
            }}
          />
        )}
        {tab === 'audit' && <AuditView caseId={caseId} />}
      </Tabs>
    </>
  );
}
