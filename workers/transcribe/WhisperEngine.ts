import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';

import { ToexError } from '../../main/errors.js';
import { installRoot } from '../../main/installRoot.js';

export const SAMPLE_RATE = 16_000;

export interface Word {
  text: string;
  startMs: number;
  endMs: number;
  /** The lowest token probability in the word. */
  p: number;
}

export interface EngineSegment {
  startMs: number;
  endMs: number;
  text: string;
  avgLogprob: number;
  words: Word[];
}

export interface ChunkResult {
  segments: EngineSegment[];
  language: string;
}

interface TokenLine {
  hex: string;
  p: number;
  t0: number;
  t1: number;
}

type EngineLine =
  | { type: 'ready'; multilingual: boolean }
  | {
      type: 'segment';
      t0: number;
      t1: number;
      avgLogprob: number;
      textHex: string;
      tokens: TokenLine[];
    }
  | { type: 'chunk'; offsetMs: number; segments: number; language: string }
  | { type: 'error'; message: string };

const utf8 = new TextDecoder('utf-8');

/**
 * Tokens glued back into words by their bytes, so a character split across
 * two tokens comes out whole; a token that starts with a space starts a word.
 */
export function wordsFromTokens(tokens: TokenLine[]): Word[] {
  const words: { bytes: number[]; startMs: number; endMs: number; p: number }[] = [];
  for (const token of tokens) {
    const bytes = Buffer.from(token.hex, 'hex');
    const startsWord = bytes[0] === 0x20 || words.length === 0;
    if (startsWord) words.push({ bytes: [], startMs: token.t0, endMs: token.t1, p: token.p });
    const word = words.at(-1)!;
    word.bytes.push(...bytes);
    word.endMs = Math.max(word.endMs, token.t1);
    word.p = Math.min(word.p, token.p);
  }
  return words
    .map((w) => ({
      text: utf8.decode(Uint8Array.from(w.bytes)).trim(),
      startMs: w.startMs,
      endMs: w.endMs,
      p: w.p,
    }))
    .filter((w) => w.text.length > 0);
}

/**
 * Where a file of the packaged desktop app really is: programs are unpacked
 * beside its archive (app.asar.unpacked). Reading a file finds them there by
 * itself, but starting a program does not.
 */
export function outsideArchive(path: string): string {
  return path.replace(/([\\/])app\.asar([\\/])/, '$1app.asar.unpacked$2');
}

export function engineBinary(): string {
  const path = outsideArchive(join(installRoot(), 'dist', 'native', 'toex-whisper'));
  if (!existsSync(path)) {
    throw new ToexError('internal', 'the whisper.cpp runner is not built (run bin/setup)');
  }
  return path;
}

/**
 * One toex-whisper process with a model loaded, fed chunk by chunk. Any exit
 * before a chunk's closing line is a failure with the runner's own reason:
 * an engine that stops without output never passes for silence.
 */
export class WhisperEngine {
  private readonly child: ChildProcessByStdio<Writable, Readable, null>;
  private readonly lines: AsyncIterator<string>;
  private exitReason: string | undefined;

  private constructor(modelPath: string, options: { threads: number; language: string }) {
    this.child = spawn(
      engineBinary(),
      ['--model', modelPath, '--threads', String(options.threads), '--language', options.language],
      {
        stdio: ['pipe', 'pipe', 'ignore'],
      },
    );
    this.child.on('exit', (code, signal) => {
      this.exitReason = signal ? `signal ${signal}` : `exit code ${code}`;
    });
    this.child.stdin.on('error', () => {
      // The process is gone; its exit or error line says why.
    });
    this.lines = createInterface({ input: this.child.stdout })[Symbol.asyncIterator]();
  }

  static async start(
    modelPath: string,
    options: { threads: number; language: string },
  ): Promise<WhisperEngine> {
    const engine = new WhisperEngine(modelPath, options);
    const first = await engine.next();
    if (first.type !== 'ready') {
      throw new ToexError('engine', 'the whisper.cpp runner did not start');
    }
    return engine;
  }

  private async next(): Promise<EngineLine> {
    const { value, done } = await this.lines.next();
    if (done) {
      await new Promise((resolve) =>
        this.exitReason ? resolve(undefined) : this.child.once('exit', resolve),
      );
      throw new ToexError(
        'engine',
        `whisper.cpp stopped without a result (${this.exitReason ?? 'no exit status'})`,
      );
    }
    const line = JSON.parse(value) as EngineLine;
    if (line.type === 'error') throw new ToexError('engine', `whisper.cpp: ${line.message}`);
    return line;
  }

  /** Transcribes one chunk; times come back relative to the whole recording. */
  async transcribe(samples: Float32Array, offsetMs: number): Promise<ChunkResult> {
    if (samples.length === 0) {
      throw new ToexError('internal', 'an empty chunk was sent to whisper.cpp');
    }
    const header = Buffer.alloc(16);
    header.write('TXCH', 0, 'latin1');
    header.writeUInt32LE(samples.length, 4);
    header.writeBigInt64LE(BigInt(Math.round(offsetMs)), 8);
    this.child.stdin.write(header);
    this.child.stdin.write(Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength));

    const segments: EngineSegment[] = [];
    for (;;) {
      const line = await this.next();
      if (line.type === 'chunk') return { segments, language: line.language };
      if (line.type !== 'segment') continue;
      const segment = {
        startMs: line.t0,
        endMs: line.t1,
        text: utf8.decode(Buffer.from(line.textHex, 'hex')).trim(),
        avgLogprob: line.avgLogprob,
        words: wordsFromTokens(line.tokens),
      };
      segments.push(segment);
    }
  }

  close(): void {
    this.child.stdin.end();
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }
}
