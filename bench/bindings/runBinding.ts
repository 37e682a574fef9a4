/**
 * One transcription with one npm binding, in a process of its own so that
 * bench/bindings can time it from start to exit and sample its memory, as it
 * does for whisper.cpp's programs.
 *
 *   node runBinding.js <candidate id> <install folder> <model> <16 kHz wav> <threads>
 *
 * The last stdout line starting with RESULT_MARK holds {"text": ...}; any
 * failure (the package will not load, the engine throws) is an exit code 1
 * with the reason on stderr.
 */
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { readPcm16kMono } from './pcm.js';

export const RESULT_MARK = 'TOEX-BINDING-RESULT ';

interface Job {
  from: string;
  model: string;
  wav: string;
  threads: number;
}

interface FugoodModule {
  initWhisper(options: { filePath: string; useGpu: boolean }): Promise<{
    transcribeFile(
      path: string,
      options: { language: string; maxThreads: number },
    ): { promise: Promise<{ segments: { text: string }[] }> };
    release(): Promise<void>;
  }>;
}

interface NapiRsModule {
  Whisper: new (model: string) => {
    full(params: object, samples: Float32Array): string;
  };
  WhisperFullParams: new (strategy: number) => {
    nThreads: number;
    language: string;
    printProgress: boolean;
    printRealtime: boolean;
    printTimestamps: boolean;
  };
  WhisperSamplingStrategy: { Greedy: number };
}

interface SmartWhisperModule {
  Whisper: new (
    model: string,
    config: { gpu: boolean },
  ) => {
    transcribe(
      samples: Float32Array,
      params: { language: string; n_threads: number; format: 'simple' },
    ): Promise<{ result: Promise<{ text: string }[]> }>;
    free(): Promise<void>;
  };
}

interface SpaderModule {
  createContext(options: { model: string; use_gpu: boolean }): {
    transcribe(options: {
      pcm: Float32Array;
      language: string;
      threads: number;
    }): Promise<{ text: string }[]>;
    free(): void;
  };
}

/** whisper.cpp's examples/addon.node, as both addon packages wrap it. */
interface AddonModule {
  transcribe(options: {
    model: string;
    fname_inp: string;
    language: string;
    use_gpu: boolean;
    translate: boolean;
    no_prints: boolean;
    n_threads: number;
  }): Promise<{ transcription: string[][] | string[] } | string[][]>;
}

interface NodejsWhisperModule {
  nodewhisper(
    path: string,
    options: {
      modelName: string;
      modelRootPath: string;
      whisperOptions: { language: string };
      logger: Record<'debug' | 'info' | 'warn' | 'error' | 'log', () => void>;
    },
  ): Promise<string>;
}

interface FluesterModule {
  createWhisperClient(options: { modelPath: string }): {
    transcribe(path: string, options: { sourceLanguage: string }): Promise<{ speech: string }[]>;
  };
}

const silent = { debug() {}, info() {}, warn() {}, error() {}, log() {} };

/** Drops whisper.cpp's "[00:00:00.000 --> 00:00:02.000]" line prefixes. */
function plainText(transcript: string): string {
  return transcript.replace(/\[[\d:.]+ --> [\d:.]+\]/g, ' ');
}

function load<T>(job: Job, name: string): T {
  return createRequire(join(job.from, 'package.json'))(name) as T;
}

/** An ES module whose exports map has no require condition, by its file. */
async function importEsm<T>(job: Job, file: string): Promise<T> {
  return (await import(pathToFileURL(join(job.from, 'node_modules', file)).href)) as T;
}

async function addon(job: Job, name: string): Promise<string> {
  const out = await load<AddonModule>(job, name).transcribe({
    model: job.model,
    fname_inp: job.wav,
    language: 'en',
    use_gpu: false,
    translate: false,
    no_prints: true,
    n_threads: job.threads,
  });
  const rows = Array.isArray(out) ? out : out.transcription;
  return rows.map((row) => (Array.isArray(row) ? row[row.length - 1] : row)).join(' ');
}

const runners: Record<string, (job: Job) => Promise<string>> = {
  async fugood(job) {
    const whisper = load<FugoodModule>(job, '@fugood/whisper.node');
    const context = await whisper.initWhisper({ filePath: job.model, useGpu: false });
    const { promise } = context.transcribeFile(job.wav, {
      language: 'en',
      maxThreads: job.threads,
    });
    const result = await promise;
    await context.release();
    return result.segments.map((s) => s.text).join(' ');
  },

  async 'napi-rs'(job) {
    const { Whisper, WhisperFullParams, WhisperSamplingStrategy } = load<NapiRsModule>(
      job,
      '@napi-rs/whisper',
    );
    const whisper = new Whisper(job.model);
    const params = new WhisperFullParams(WhisperSamplingStrategy.Greedy);
    params.nThreads = job.threads;
    params.language = 'en';
    params.printProgress = false;
    params.printRealtime = false;
    params.printTimestamps = false;
    return Promise.resolve(whisper.full(params, readPcm16kMono(job.wav)));
  },

  async 'smart-whisper'(job) {
    const { Whisper } = load<SmartWhisperModule>(job, 'smart-whisper');
    const whisper = new Whisper(job.model, { gpu: false });
    const task = await whisper.transcribe(readPcm16kMono(job.wav), {
      language: 'en',
      n_threads: job.threads,
      format: 'simple',
    });
    const segments = await task.result;
    await whisper.free();
    return segments.map((s) => s.text).join(' ');
  },

  async spader(job) {
    const { createContext } = await importEsm<SpaderModule>(
      job,
      '@spader/node-whisper-cpp/dist/index.js',
    );
    const context = createContext({ model: job.model, use_gpu: false });
    const segments = await context.transcribe({
      pcm: readPcm16kMono(job.wav),
      language: 'en',
      threads: job.threads,
    });
    context.free();
    return segments.map((s) => s.text).join(' ');
  },

  kutalia: (job) => addon(job, '@kutalia/whisper-node-addon'),

  'whisper-node-addon': (job) => addon(job, 'whisper-node-addon'),

  async 'nodejs-whisper'(job) {
    // It takes a model by name from a folder.
    // Not yet: nodejs-whisper and fluester take no thread count; their programs use up to four
    // threads, so on a machine with more than two cores they do not run on the bench's --threads.
    const { nodewhisper } = load<NodejsWhisperModule>(job, 'nodejs-whisper');
    const transcript = await nodewhisper(job.wav, {
      modelName: basename(job.model).replace(/^ggml-|\.bin$/g, ''),
      modelRootPath: dirname(job.model),
      whisperOptions: { language: 'en' },
      logger: silent,
    });
    return plainText(transcript);
  },

  async fluester(job) {
    const { createWhisperClient } = await importEsm<FluesterModule>(
      job,
      '@pr0gramm/fluester/dist/index.js',
    );
    const lines = await createWhisperClient({ modelPath: job.model }).transcribe(job.wav, {
      sourceLanguage: 'en',
    });
    return lines.map((l) => l.speech).join(' ');
  },
};

async function main(): Promise<void> {
  const [id, from, model, wav, threads] = process.argv.slice(2);
  const run = id ? runners[id] : undefined;
  if (!run || !from || !model || !wav || !threads) {
    throw new Error('usage: runBinding <candidate> <install folder> <model> <wav> <threads>');
  }
  const text = await run({ from, model, wav, threads: Number(threads) });
  // Some bindings keep native threads alive after their work; the result is what counts.
  process.stdout.write(`\n${RESULT_MARK}${JSON.stringify({ text })}\n`, () => process.exit(0));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    process.stderr.write(`${(err as Error).message.split('\n')[0]}\n`);
    process.exitCode = 1;
  });
}
