import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { ApiService } from '../../../main/api/ApiService.js';
import type { ApiEvent, Envelope } from '../../../main/api/contract.js';
import { androidSmsDb } from '../../helpers/androidSmsDb.js';
import { JFK_WAV } from '../../helpers/models.js';
import { PASSPHRASE, useTempDirs } from '../../helpers/temp.js';
import { NEW_CASE, newWorkstation } from '../../helpers/workstation.js';

const T0 = Date.parse('2024-03-09T21:00:00.000Z');

function value<T>(reply: Envelope<T>): T {
  if (!reply.ok) throw new Error(`${reply.error.kind}: ${reply.error.message}`);
  return reply.value;
}

describe('ApiService', () => {
  const tempDir = useTempDirs();
  const services: ApiService[] = [];
  afterEach(async () => {
    for (const api of services.splice(0)) await api.dispose();
  });

  async function unlocked() {
    const home = tempDir();
    (await newWorkstation(home)).workstation.close();
    const api = new ApiService(home);
    services.push(api);
    value(await api.call('session:unlock', { passphrase: PASSPHRASE }));
    return { api, home };
  }

  /** A case with an SMS database of 250 messages in three threads, read in through the API. */
  async function withMessages() {
    const { api, home } = await unlocked();
    const events: ApiEvent[] = [];
    api.onDidEvent((e) => events.push(e));
    const created = value(await api.call('cases:create', NEW_CASE));
    const numbers = ['07700 900111', '07700 900222', '07700 900333'];
    const db = androidSmsDb(tempDir(), {
      threads: numbers.map((n, i) => ({ id: i + 1, addresses: [n] })),
      sms: Array.from({ length: 250 }, (_, i) => ({
        thread: (i % 3) + 1,
        address: numbers[i % 3]!,
        date: T0 + i * 60_000,
        type: i % 5 === 0 ? 2 : 1,
        body: i % 10 === 0 ? `meet at the depot ${i}` : `message number ${i}`,
      })),
    });
    // Web mode stages an upload as a file the service owns; it is removed once imported.
    const upload = join(tempDir(), 'upload.part');
    copyFileSync(db, upload);
    const stagedId = api.stage({ path: upload, name: 'handset-1.db', owned: true });
    const { item } = value(await api.call('evidence:import', { caseId: created.id, stagedId }));
    expect(existsSync(upload)).toBe(false);
    value(await api.call('ingest:start', { caseId: created.id, evidenceId: item.id }));
    await api.caseSession(created.id).jobs.idle();
    return { api, home, caseId: created.id, item, events };
  }

  it('is locked until the passphrase is given, and a wrong one is its own kind of error', async () => {
    const home = tempDir();
    (await newWorkstation(home)).workstation.close();
    const api = new ApiService(home);
    services.push(api);
    expect(await api.call('cases:list', {})).toEqual({
      ok: false,
      error: { kind: 'locked', message: 'the workstation is locked: unlock it first' },
    });
    const wrong = await api.call('session:unlock', { passphrase: 'not it' });
    expect(wrong.ok ? null : wrong.error.kind).toBe('wrong-key');
    // Attempts are taken one at a time: the wrong one fails, the right ones open the workstation once.
    const attempts = await Promise.all(
      ['not it either', PASSPHRASE, PASSPHRASE].map((passphrase) =>
        api.call('session:unlock', { passphrase }),
      ),
    );
    expect(attempts.map((a) => (a.ok ? 'ok' : a.error.kind))).toEqual(['wrong-key', 'ok', 'ok']);
    expect(api.unlocked).toBeDefined();
    expect(value(await api.call('cases:list', {}))).toEqual([]);
    value(await api.call('session:lock', {}));
    expect(value(await api.call('session:state', {}))).toEqual({
      initialised: true,
      unlocked: false,
      operator: null,
    });
  });

  it('refuses input off the contract before acting on it', async () => {
    const { api } = await unlocked();
    const reply = await api.call('cases:create', { ...NEW_CASE, reference: 7 });
    expect(reply).toEqual({
      ok: false,
      error: { kind: 'bad-input', message: expect.stringMatching(/^cases:create: reference: /) },
    });
    expect(value(await api.call('cases:list', {}))).toEqual([]);
    expect(await api.call('__proto__', {})).toEqual({
      ok: false,
      error: { kind: 'bad-input', message: 'unknown operation' },
    });
  });

  it('refuses an item given twice, and serves no item as a recording that is not one', async () => {
    const { api, caseId } = await withMessages();
    const twice = await api.call('transcribe:start', {
      caseId,
      evidenceIds: [1, 1],
      modelId: 'whisper-tiny.en',
    });
    expect(twice.ok ? null : twice.error.message).toBe(
      'transcribe:start: evidenceIds: an item is given twice',
    );
    // A transcription of the SMS database fails, and leaves it no recording to serve.
    value(
      await api.call('transcribe:start', { caseId, evidenceIds: [1], modelId: 'whisper-tiny.en' }),
    );
    await api.caseSession(caseId).jobs.idle();
    const [transcript] = value(await api.call('cases:open', { caseId })).transcripts;
    expect(transcript!.state).toBe('failed');
    expect(() => api.mediaFile(`/media/${caseId}/1`)).toThrow('no such recording');
  });

  it('keeps an item whose reading failed one that can be read again', async () => {
    const { api } = await unlocked();
    const { id: caseId } = value(await api.call('cases:create', NEW_CASE));
    const notes = join(tempDir(), 'notes.txt');
    writeFileSync(notes, 'shopping');
    const stagedId = api.stage({ path: notes, name: 'notes.txt', owned: false });
    value(await api.call('evidence:import', { caseId, stagedId }));
    value(await api.call('ingest:start', { caseId, evidenceId: 1 }));
    await api.caseSession(caseId).jobs.idle();
    const overview = value(await api.call('cases:open', { caseId }));
    expect(overview.jobs.map((j) => j.state)).toEqual(['failed']);
    expect(overview.evidence[0]!.role).toBe('file');
  });

  it('sets up an empty data folder once, and refuses an operator name that could disguise the audit', async () => {
    const api = new ApiService(tempDir());
    services.push(api);
    const disguised = await api.call('session:init', {
      operator: 'DC ‮X',
      passphrase: PASSPHRASE,
    });
    expect(disguised.ok ? null : disguised.error).toEqual({
      kind: 'bad-input',
      message: 'the operator name holds control or direction characters',
    });
    const done = value(
      await api.call('session:init', { operator: 'DC New 0002', passphrase: PASSPHRASE }),
    );
    expect(done.operator).toMatch(/^DC New 0002 \[/);
    expect(done.recoveryKey).toMatch(/^([0-9A-Z]{4}-){12}[0-9A-Z]{4}$/);
    const again = await api.call('session:init', { operator: 'DC Other', passphrase: PASSPHRASE });
    expect(again.ok ? null : again.error.kind).toBe('conflict');
  });

  it('registers an upload under the name it was sent with, not its temporary file', async () => {
    const { api, caseId, item } = await withMessages();
    expect(item).toMatchObject({ id: 1, originalName: 'handset-1.db', role: 'file' });
    const stored = api.caseSession(caseId).store.evidence.get(1);
    expect(stored.originalPath).toBe('upload:handset-1.db');
    expect(stored.sourceMtime).toBeNull();
    const overview = value(await api.call('cases:open', { caseId }));
    expect(overview.evidence[0]!.role).toBe('extraction');
    expect([overview.messages, overview.threads]).toEqual([250, 3]);
  });

  it('runs the job in the background and tells the window as it changes', async () => {
    const { events, caseId } = await withMessages();
    const states = events.filter((e) => e.job.kind === 'ingest').map((e) => e.job.state);
    expect(states[0]).toBe('queued');
    expect(states.at(-1)).toBe('done');
    expect(events.every((e) => e.caseId === caseId)).toBe(true);
    expect(events.at(-1)!.job.outcome).toBe('250 messages, 3 threads, 0 calls, 0 contacts');
  });

  it('pages through the messages in order, and counts what a filter finds', async () => {
    const { api, caseId } = await withMessages();
    const all = value(
      await api.call('messages:page', { caseId, filter: {}, offset: 0, limit: 500 }),
    );
    expect(all).toHaveLength(250);
    const pages = [];
    for (let offset = 0; offset < 250; offset += 100) {
      pages.push(
        ...value(await api.call('messages:page', { caseId, filter: {}, offset, limit: 100 })),
      );
    }
    expect(pages.map((m) => m.id)).toEqual(all.map((m) => m.id));
    expect(all.map((m) => m.sentAt)).toEqual([...all.map((m) => m.sentAt)].sort());

    const depot = { search: 'depot' };
    expect(value(await api.call('messages:count', { caseId, filter: depot }))).toBe(25);
    const second = value(
      await api.call('messages:page', { caseId, filter: depot, offset: 20, limit: 10 }),
    );
    expect(second.map((m) => m.body)).toEqual(
      [200, 210, 220, 230, 240].map((i) => `meet at the depot ${i}`),
    );
    expect(
      value(await api.call('messages:count', { caseId, filter: { direction: 'outgoing' } })),
    ).toBe(50);

    const threads = value(await api.call('messages:threads', { caseId }));
    // The thread written in last first.
    expect(threads.map((t) => [t.people, t.messages])).toEqual([
      ['+447700900111', 84],
      ['+447700900333', 83],
      ['+447700900222', 83],
    ]);
    const one = threads[0]!.id;
    expect(value(await api.call('messages:count', { caseId, filter: { threadId: one } }))).toBe(84);
    const missing = await api.call('messages:page', {
      caseId,
      filter: { threadId: 999 },
      offset: 0,
      limit: 10,
    });
    expect(missing.ok ? null : missing.error).toEqual({
      kind: 'not-found',
      message: 'no thread 999 in this case',
    });
  });

  it('draws the network: the device joined to each person by the messages between them', async () => {
    const { api, caseId } = await withMessages();
    const network = value(await api.call('contacts:network', { caseId }));
    expect(network.nodes.map((n) => [n.id, n.label, n.kind])).toEqual([
      ['device:1', 'Item 1: handset-1.db', 'device'],
      ['person:+447700900111', '+447700900111', 'person'],
      ['person:+447700900222', '+447700900222', 'person'],
      ['person:+447700900333', '+447700900333', 'person'],
    ]);
    // Every message is one person's: received from them, or sent to their one-to-one thread.
    expect(network.edges.map((e) => [e.target, e.messages, e.calls])).toEqual([
      ['person:+447700900111', 84, 0],
      ['person:+447700900222', 83, 0],
      ['person:+447700900333', 83, 0],
    ]);
  });

  it('refuses new work on a closed case in one line, and keeps what it holds', async () => {
    const { api, caseId } = await withMessages();
    api.workstation().setCaseStatus(caseId, 'closed');
    const reply = await api.call('translate:start', { caseId });
    expect(reply.ok ? null : reply.error).toEqual({
      kind: 'conflict',
      message: `case ${NEW_CASE.reference} is closed; reopen it before translating`,
    });
    expect(value(await api.call('messages:count', { caseId, filter: {} }))).toBe(250);
  });

  it('puts a running job back in the queue when locked, and goes on with it at the next unlock', async () => {
    const { api } = await unlocked();
    const { id: caseId } = value(await api.call('cases:create', NEW_CASE));
    // Half a minute of speech, so the lock comes while the worker is at it.
    const long = join(tempDir(), 'jfk-three-times.wav');
    execFileSync('sox', [...Array(3).fill(JFK_WAV), long]);
    const stagedId = api.stage({ path: long, name: 'jfk-three-times.wav', owned: false });
    value(await api.call('evidence:import', { caseId, stagedId }));
    const running = new Promise<void>((resolve) =>
      api.onDidEvent((e) => e.job.state === 'running' && e.job.progress > 0 && resolve()),
    );
    const [job] = value(
      await api.call('transcribe:start', { caseId, evidenceIds: [1], modelId: 'whisper-tiny.en' }),
    );
    await running;
    value(await api.call('session:lock', {}));

    value(await api.call('session:unlock', { passphrase: PASSPHRASE }));
    const jobs = value(await api.call('jobs:list', { caseId }));
    expect(jobs.map((j) => [j.id, j.state])).toEqual([
      [job!.id, expect.stringMatching(/^(queued|running)$/)],
    ]);
    await api.caseSession(caseId).jobs.idle();
    const audit = value(await api.call('audit:list', { caseId, limit: 1000 }));
    expect(audit.filter((e) => e.action === 'job.interrupted').map((e) => e.subject)).toEqual([
      `job:${job!.id}`,
    ]);
    const transcript = value(await api.call('transcripts:get', { caseId, transcriptId: 1 }));
    expect(transcript.transcript.state).toBe('done');
    expect(transcript.segments.map((s) => s.text).join(' ')).toMatch(/ask not what your country/i);
  });

  it('keeps the audit log readable and its chain verifiable through the API', async () => {
    const { api, caseId } = await withMessages();
    const entries = value(await api.call('audit:list', { caseId, limit: 1000 }));
    expect(entries.map((e) => e.action)).toEqual([
      'case.create',
      'evidence.import',
      'job.queue',
      'job.start',
      'evidence.ingest',
      'job.finish',
    ]);
    const newest = value(await api.call('audit:list', { caseId, newest: true, limit: 2 }));
    expect(newest).toEqual(entries.slice(-2));
    expect(value(await api.call('audit:verify', { caseId }))).toEqual({
      entries: entries.length,
      problems: [],
    });
  });
});
