import {
  envelopeOf,
  jobEvent,
  type ApiError,
  type ApiEvent,
  type Input,
  type OperationName,
  type Output,
} from '../../../main/api/contract';

/** A file put forward for import; the id is all the window knows of where it is. */
export interface StagedFile {
  stagedId: string;
  name: string;
  size: number;
}

/** A failed call, with the kind the window can act on and a line it can show. */
export class ApiFailure extends Error {
  constructor(readonly error: ApiError) {
    super(error.message);
  }
}

/**
 * The window's whole view of the workstation: the operations of the contract,
 * the events, and a way to put files forward for import. The desktop app's
 * bridge and web mode's loopback client both provide it.
 */
export interface ApiClient {
  call<N extends OperationName>(name: N, input: Input<N>): Promise<Output<N>>;
  onEvent(listener: (event: ApiEvent) => void): () => void;
  /** The desktop app shows the system's file dialog; web mode uploads the files given. */
  readonly picksFiles: boolean;
  pickFiles(): Promise<StagedFile[]>;
  upload(file: File, onProgress: (fraction: number) => void): Promise<StagedFile>;
}

/** What the desktop app's preload exposes as `window.toex`. */
interface Bridge {
  call(name: string, input: unknown): Promise<unknown>;
  onEvent(listener: (event: unknown) => void): () => void;
  pickFiles(): Promise<StagedFile[]>;
}

function checked<N extends OperationName>(name: N, reply: unknown): Output<N> {
  const parsed = envelopeOf(name).safeParse(reply);
  if (!parsed.success) {
    throw new ApiFailure({
      kind: 'internal',
      message: `${name}: the reply did not fit the contract`,
    });
  }
  if (!parsed.data.ok) throw new ApiFailure(parsed.data.error);
  return parsed.data.value as Output<N>;
}

function bridgeClient(bridge: Bridge): ApiClient {
  return {
    call: async (name, input) => checked(name, await bridge.call(name, input)),
    onEvent: (listener) =>
      bridge.onEvent((event) => {
        const parsed = jobEvent.safeParse(event);
        if (parsed.success) listener(parsed.data);
      }),
    picksFiles: true,
    pickFiles: () => bridge.pickFiles(),
    upload: () => Promise.reject(new Error('the desktop app picks files with its dialog')),
  };
}

/**
 * Web mode: the address `toex serve` printed carries the run's token in its
 * fragment. It is traded at once for a cookie only this origin can send, and
 * wiped from the address bar and history.
 */
async function startWebSession(): Promise<void> {
  const token = /^#token=([A-Za-z0-9_-]+)$/.exec(location.hash)?.[1];
  if (!token) return;
  history.replaceState(null, '', location.pathname);
  await fetch('./api/session', { method: 'POST', headers: { Authorization: `Bearer ${token}` } });
}

function webClient(): ApiClient {
  const ready = startWebSession();
  const listeners = new Set<(event: ApiEvent) => void>();
  let source: EventSource | undefined;

  const call = async <N extends OperationName>(name: N, input: Input<N>) => {
    await ready;
    const response = await fetch(`./api/call/${encodeURIComponent(name)}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(input),
    }).catch(() => {
      throw new ApiFailure({
        kind: 'storage',
        message: 'TOEX is not answering: is toex serve still running?',
      });
    });
    if (response.status === 401) {
      throw new ApiFailure({
        kind: 'locked',
        message: 'this window has no session: open the address toex serve printed',
      });
    }
    return checked(name, await response.json());
  };

  const onEvent = (listener: (event: ApiEvent) => void) => {
    listeners.add(listener);
    if (!source) {
      void ready.then(() => {
        source = new EventSource('./api/events');
        source.onmessage = (message: MessageEvent<string>) => {
          const parsed = jobEvent.safeParse(JSON.parse(message.data));
          if (parsed.success) for (const l of listeners) l(parsed.data);
        };
      });
    }
    return () => {
      listeners.delete(listener);
    };
  };

  const upload = (file: File, onProgress: (fraction: number) => void) =>
    ready.then(
      () =>
        new Promise<StagedFile>((resolve, reject) => {
          const xhr = new XMLHttpRequest();
          xhr.open('POST', `./api/upload?name=${encodeURIComponent(file.name)}`);
          xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
          xhr.onload = () => {
            const body = JSON.parse(xhr.responseText) as StagedFile & { error?: ApiError };
            if (xhr.status === 200) resolve(body);
            else {
              reject(new ApiFailure(body.error ?? { kind: 'internal', message: xhr.statusText }));
            }
          };
          xhr.onerror = () =>
            reject(new ApiFailure({ kind: 'storage', message: `${file.name} could not be sent` }));
          xhr.send(file);
        }),
    );

  return {
    call,
    onEvent,
    picksFiles: false,
    pickFiles: () => Promise.resolve([]),
    upload,
  };
}

export function createClient(): ApiClient {
  const bridge = (window as unknown as { toex?: Bridge }).toex;
  return bridge ? bridgeClient(bridge) : webClient();
}
