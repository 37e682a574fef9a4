import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInThisContext } from 'node:vm';

import { beforeAll, describe, expect, it } from 'vitest';

import {
  CHANNEL_CALL,
  CHANNEL_EVENT,
  CHANNEL_STAGE,
  type JobView,
} from '../../../main/api/contract.js';
import { useTempDirs } from '../../helpers/temp.js';

const root = join(import.meta.dirname, '..', '..', '..');

interface Bridge {
  call(name: unknown, input: unknown): Promise<unknown>;
  onEvent(listener: (event: unknown) => void): () => void;
  pickFiles(): Promise<unknown>;
}

type Listener = (ipcEvent: unknown, payload: unknown) => void;

/**
 * Bundles the preload with the command `npm run build:electron` uses, into a
 * folder of the test's own.
 */
function bundle(outFile: string): string {
  const script = (
    JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    }
  ).scripts['build:electron']!;
  const args = script
    .split('&&')
    .map((step) => step.trim())
    .find((step) => step.startsWith('rolldown '))!
    .split(/\s+/)
    .slice(1);
  args[args.indexOf('--file') + 1] = outFile;
  const run = spawnSync(process.execPath, ['node_modules/rolldown/bin/cli.mjs', ...args], {
    cwd: root,
    encoding: 'utf8',
  });
  expect(run.status, run.stderr).toBe(0);
  return readFileSync(outFile, 'utf8');
}

/**
 * Runs the bundle as a sandboxed renderer would: `require` gives `electron`
 * and nothing else. The fake ipcRenderer answers invoke with `replies`.
 */
function load(code: string, replies: Record<string, unknown>) {
  const invoked: unknown[][] = [];
  const listeners = new Map<string, Set<Listener>>();
  const on = (channel: string) =>
    listeners.get(channel) ?? listeners.set(channel, new Set()).get(channel)!;
  let exposed: { key: string; api: Bridge } | undefined;
  const electron = {
    contextBridge: {
      exposeInMainWorld: (key: string, api: Bridge) => (exposed = { key, api }),
    },
    ipcRenderer: {
      invoke: (channel: string, ...args: unknown[]) => {
        invoked.push([channel, ...args]);
        return Promise.resolve(replies[channel === CHANNEL_CALL ? String(args[0]) : channel]);
      },
      on: (channel: string, listener: Listener) => on(channel).add(listener),
      removeListener: (channel: string, listener: Listener) => on(channel).delete(listener),
    },
  };
  const sandboxRequire = (id: string) => {
    if (id !== 'electron') throw new Error(`a sandboxed preload cannot require ${id}`);
    return electron;
  };
  const module = { exports: {} };
  const run = runInThisContext(`(function (require, module, exports) {${code}\n})`) as (
    ...args: unknown[]
  ) => void;
  run(sandboxRequire, module, module.exports);
  const emit = (payload: unknown) => {
    for (const listener of on(CHANNEL_EVENT)) listener({ sender: 'ipc' }, payload);
  };
  return { exposed: exposed!, invoked, listening: () => on(CHANNEL_EVENT).size, emit };
}

// Typed by the contract, so a field added to it is added here too.
const job: JobView = {
  id: 'c0ffee00-0000-4000-8000-000000000001',
  kind: 'transcribe',
  subject: 'item 3',
  state: 'running',
  progress: 0.5,
  stage: 'decoding',
  error: null,
  outcome: null,
  cancelRequested: false,
  createdAt: '2025-01-01T00:00:00Z',
  finishedAt: null,
};

describe('preload', () => {
  const tempDir = useTempDirs();
  let code = '';

  beforeAll(() => {
    code = bundle(join(tempDir(), 'preload.cjs'));
  });

  it('bundles into one CommonJS file that requires electron and nothing else', () => {
    const required = [...code.matchAll(/\brequire\(\s*([^)]*?)\s*\)/g)].map((m) => m[1]);
    expect(required).toEqual(['"electron"']);
    expect(code).not.toMatch(/\bimport\s*\(|^\s*import\s/m);
  });

  it('exposes the three functions of the bridge as window.toex and no more', () => {
    const { exposed } = load(code, {});
    expect(exposed.key).toBe('toex');
    expect(Object.keys(exposed.api).sort()).toEqual(['call', 'onEvent', 'pickFiles']);
  });

  it('refuses an operation the contract does not name, without sending it', async () => {
    const { exposed, invoked } = load(code, {});
    await expect(exposed.api.call('fs:read', { path: '/etc/passwd' })).resolves.toEqual({
      ok: false,
      error: { kind: 'bad-input', message: 'unknown operation' },
    });
    await expect(exposed.api.call('toString', {})).resolves.toMatchObject({ ok: false });
    expect(invoked).toEqual([]);
  });

  it('refuses input that does not fit the contract, without sending it', async () => {
    const { exposed, invoked } = load(code, {});
    await expect(exposed.api.call('cases:open', { caseId: 5 })).resolves.toMatchObject({
      ok: false,
      error: { kind: 'bad-input' },
    });
    expect(invoked).toEqual([]);
  });

  it('sends valid input as the contract reads it, and passes on a reply that fits', async () => {
    const reply = { ok: true, value: { initialised: true, unlocked: false, operator: null } };
    const { exposed, invoked } = load(code, { 'session:state': reply });
    await expect(exposed.api.call('session:state', { extra: 'dropped' })).resolves.toEqual(reply);
    expect(invoked).toEqual([[CHANNEL_CALL, 'session:state', {}]]);

    const failed = { ok: false, error: { kind: 'locked', message: 'unlock first' } };
    const locked = load(code, { 'cases:list': failed });
    await expect(locked.exposed.api.call('cases:list', {})).resolves.toEqual(failed);
  });

  it('replaces a reply that does not fit the contract with an error', async () => {
    const { exposed } = load(code, { 'cases:list': { ok: true, value: [{ id: 1 }] } });
    await expect(exposed.api.call('cases:list', {})).resolves.toEqual({
      ok: false,
      error: { kind: 'internal', message: 'cases:list: the reply did not fit the contract' },
    });
  });

  it('hands the page job events that fit, without the IPC event, until unsubscribed', () => {
    const { exposed, listening, emit } = load(code, {});
    const seen: unknown[] = [];
    const unsubscribe = exposed.api.onEvent((event) => seen.push(event));
    expect(listening()).toBe(1);
    const event = { type: 'job', caseId: 'case-1', job };
    emit(event);
    emit({ type: 'job', caseId: 'case-1', job: { ...job, state: 'exploded' } });
    emit({ type: 'other' });
    expect(seen).toEqual([event]);

    unsubscribe();
    emit(event);
    expect(seen).toHaveLength(1);
    expect(listening()).toBe(0);
  });

  it('returns the files chosen in the dialog, and refuses a reply of another shape', async () => {
    const files = [{ stagedId: 'ab'.repeat(16), name: 'interview.wav', size: 10 }];
    const { exposed, invoked } = load(code, { [CHANNEL_STAGE]: files });
    await expect(exposed.api.pickFiles()).resolves.toEqual(files);
    expect(invoked).toEqual([[CHANNEL_STAGE]]);

    const odd = load(code, { [CHANNEL_STAGE]: [{ stagedId: '../x', name: 'a', size: 1 }] });
    await expect(odd.exposed.api.pickFiles()).rejects.toThrow();
  });
});
