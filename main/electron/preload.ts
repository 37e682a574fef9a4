/**
 * The window's bridge to main, and all of what the page can reach: the
 * operations of the API contract, their events, and the file dialog. It runs
 * sandboxed, where only `electron` can be required, so the build bundles it
 * with zod and the contract into one CommonJS file.
 *
 * Both directions are checked here as well as on the far side: a page cannot
 * send an operation the contract does not name or input that does not fit,
 * and a reply or event that does not fit never reaches the page.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { z } from 'zod';

import {
  CHANNEL_CALL,
  CHANNEL_EVENT,
  CHANNEL_STAGE,
  envelopeOf,
  isOperationName,
  jobEvent,
  operations,
  type ApiError,
  type ApiEvent,
  type Envelope,
} from '../api/contract.js';

const stagedFiles = z.array(
  z.object({
    stagedId: z.string().regex(/^[0-9a-f]{32}$/),
    name: z.string(),
    size: z.number().int().min(0),
  }),
);

function failure(kind: ApiError['kind'], message: string): Envelope<never> {
  return { ok: false, error: { kind, message } };
}

async function call(name: unknown, input: unknown): Promise<Envelope<unknown>> {
  if (!isOperationName(name)) return failure('bad-input', 'unknown operation');
  const parsed = operations[name].input.safeParse(input ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return failure('bad-input', `${name}: ${issue.path.join('.') || 'input'}: ${issue.message}`);
  }

  const reply = envelopeOf(name).safeParse(
    await ipcRenderer.invoke(CHANNEL_CALL, name, parsed.data),
  );
  return reply.success
    ? reply.data
    : failure('internal', `${name}: the reply did not fit the contract`);
}

function onEvent(listener: (event: ApiEvent) => void): () => void {
  if (typeof listener !== 'function') throw new TypeError('onEvent takes a function');
  const forward = (_ipc: unknown, event: unknown) => {
    const parsed = jobEvent.safeParse(event);
    if (parsed.success) listener(parsed.data);
  };
  ipcRenderer.on(CHANNEL_EVENT, forward);
  return () => {
    ipcRenderer.removeListener(CHANNEL_EVENT, forward);
  };
}

async function pickFiles(): Promise<z.infer<typeof stagedFiles>> {
  return stagedFiles.parse(await ipcRenderer.invoke(CHANNEL_STAGE));
}

contextBridge.exposeInMainWorld('toex', { call, onEvent, pickFiles });
