import { whisperModels } from '../../models/modelManifest.js';
import { folderHolding, modelsDir, setupModelsDir } from '../../models/modelStore.js';
import { join } from 'node:path';

import { ToexError } from '../errors.js';
import { undetectedMessages } from '../language/detectJob.js';
import type { ApiService, CaseSession, Handlers } from './ApiService.js';
import { caseSummary, evidenceViews, jobView, transcriptSummary } from './views.js';

/** The file of an installed Whisper model: the data folder's copy, else the one set-up provisioned. */
function speechModelPath(home: string, id: string): string {
  const entry = whisperModels().find((e) => e.id === id);
  if (!entry) throw new ToexError('not-found', `no speech model ${id}`);
  const folder = folderHolding([modelsDir(home), setupModelsDir()], entry);
  if (!folder) {
    throw new ToexError(
      'not-found',
      `model ${id} is not installed; add it with toex models import`,
    );
  }
  return join(folder, entry.files[0]!.name);
}

function count(session: CaseSession, table: 'messages' | 'threads'): number {
  return (session.store.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
}

/** Sessions, cases, evidence, jobs and the audit log. */
export function caseHandlers(
  api: ApiService,
): Pick<
  Handlers,
  | 'session:state'
  | 'session:init'
  | 'session:unlock'
  | 'session:lock'
  | 'cases:list'
  | 'cases:create'
  | 'cases:open'
  | 'evidence:import'
  | 'evidence:verify'
  | 'models:speech'
  | 'transcribe:start'
  | 'ingest:start'
  | 'translate:start'
  | 'jobs:list'
  | 'jobs:cancel'
  | 'audit:list'
  | 'audit:verify'
> {
  return {
    'session:state': () => ({
      initialised: api.initialised,
      unlocked: api.unlocked !== undefined,
      operator: api.unlocked?.actor ?? null,
    }),

    'session:init': async ({ operator, passphrase }) => {
      const { ws, recoveryKey } = await api.init(operator, passphrase);
      return { operator: ws.actor, recoveryKey };
    },

    'session:unlock': async ({ passphrase }) => ({
      operator: (await api.unlock(passphrase)).actor,
    }),

    'session:lock': async () => {
      await api.lock();
      return {};
    },

    'cases:list': () => api.workstation().listCases().map(caseSummary),

    'cases:create': (input) => caseSummary(api.workstation().createCase(input)),

    'cases:open': ({ caseId }) => {
      const session = api.freshCase(caseId);
      const { store } = session;
      return {
        case: caseSummary(store.info),
        evidence: evidenceViews(store, store.evidence.list()),
        jobs: store.jobs.list().map(jobView),
        transcripts: store.transcripts.list().map((t) => transcriptSummary(store, t)),
        messages: count(session, 'messages'),
        threads: count(session, 'threads'),
      };
    },

    'evidence:import': async ({ caseId, stagedId, exhibitRef }) => {
      const { store } = api.freshCase(caseId);
      const file = api.takeStaged(stagedId);
      try {
        const result = await store.importEvidence(file.path, {
          ...(exhibitRef ? { exhibitRef } : {}),
          ...(file.owned ? { uploadedAs: file.name } : {}),
        });
        return { item: evidenceViews(store, [result.item])[0]!, duplicate: result.duplicate };
      } finally {
        api.releaseStaged(file);
      }
    },

    'evidence:verify': ({ caseId }) => {
      const { store, jobs } = api.freshCase(caseId);
      const job = store.queueVerify();
      jobs.start([job]);
      return jobView(job);
    },

    'models:speech': () =>
      whisperModels().map((e) => ({
        id: e.id,
        installed: folderHolding([modelsDir(api.home), setupModelsDir()], e) !== undefined,
        languages: e.languages.join(', '),
      })),

    'transcribe:start': async ({ caseId, evidenceIds, modelId }) => {
      const { store, jobs } = api.freshCase(caseId);
      const queued = await store.queueTranscriptions(
        evidenceIds,
        speechModelPath(api.home, modelId),
      );
      jobs.start(queued);
      return queued.map(jobView);
    },

    'ingest:start': ({ caseId, evidenceId, region }) => {
      const { store, jobs } = api.freshCase(caseId);
      const job = store.queueIngest(evidenceId, region ? { region } : {});
      jobs.start([job]);
      return jobView(job);
    },

    'translate:start': async ({ caseId }) => {
      const { store, jobs } = api.freshCase(caseId);
      store.assertOpen('translating');
      const scope = { to: 'en', beamSize: 4, glossary: [] };
      const translate = async () => {
        const messages = await store.translations.queue(scope);
        const notes = await store.translations.queueVoiceNotes(scope);
        const queued = [...messages.jobs, ...notes.jobs];
        jobs.start(queued);
        return queued;
      };
      // A message is translated from the language it was told to be in: tell the rest first.
      if (undetectedMessages(store.db) > 0) {
        const detect = store.queueDetect();
        jobs.start([detect], async (ended) => {
          if (ended.state === 'done') await translate();
        });
        return [jobView(detect)];
      }
      return (await translate()).map(jobView);
    },

    'jobs:list': ({ caseId }) => api.caseSession(caseId).store.jobs.list().map(jobView),

    'jobs:cancel': ({ caseId, jobId }) => jobView(api.caseSession(caseId).jobs.cancel(jobId)),

    'audit:list': ({ caseId, afterSeq, newest, limit }) => {
      const { audit } = api.caseSession(caseId).store;
      const after = newest ? Math.max(0, audit.head().seq - limit) : (afterSeq ?? 0);
      return audit.list({ afterSeq: after, limit }).map((e) => ({
        seq: e.seq,
        at: e.at,
        actor: e.actor,
        action: e.action,
        subject: e.subject,
        hash: e.hash,
      }));
    },

    'audit:verify': ({ caseId }) => {
      const { store } = api.caseSession(caseId);
      const result = store.audit.verify(store.anchoredHead());
      return { entries: result.entries, problems: result.problems.map((p) => p.message) };
    },
  };
}
