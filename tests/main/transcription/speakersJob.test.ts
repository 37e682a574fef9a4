import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { CaseStore } from '../../../main/cases/CaseStore.js';
import {
  ForkWorkerHost,
  type WorkerHandle,
  type WorkerHost,
} from '../../../main/jobs/WorkerHost.js';
import type { TranscriptSummary } from '../../../main/transcription/transcribeJob.js';
import { newestSpeakerSuggestions } from '../../../main/transcription/speakersJob.js';
import { waitFor } from '../../helpers/evidence.js';
import { CORPUS, JFK_WAV, speakerModel, whisperModel } from '../../helpers/models.js';
import { workstationWithCase } from '../../helpers/workstation.js';

/** Who speaks when in a fixture, in ms. */
interface Turn {
  who: string;
  startMs: number;
  endMs: number;
}

const OFFICER = 'en-gb';
const WITNESS = 'en-us+f3';
const TURNS: [voice: string, text: string][] = [
  [OFFICER, 'Where were you on the night of the fourteenth of March?'],
  [WITNESS, 'I was at home with my sister, watching television all evening.'],
  [OFFICER, 'Can anyone confirm that you stayed in the house the whole time?'],
  [WITNESS, 'My neighbour saw me when I took the bins out at about ten o clock.'],
  [OFFICER, 'Did you go out again after that, even for a few minutes?'],
  [WITNESS, 'No. I went to bed just after eleven and I did not leave the house.'],
];
const PAUSE_S = 1.5;

/** Two espeak-ng voices, a man's and a woman's, taking turns with pauses between. */
function interviewOfTwo(dir: string): { path: string; turns: Turn[] } {
  const parts: string[] = [];
  const turns: Turn[] = [];
  let at = 0;
  TURNS.forEach(([voice, text], i) => {
    const raw = join(dir, `t${i}.wav`);
    const part = join(dir, `p${i}.wav`);
    execFileSync('espeak-ng', ['-v', voice, '-s', '150', '-w', raw, text]);
    execFileSync('sox', [raw, '-r', '16000', part]);
    const ms = Number(execFileSync('soxi', ['-D', part]).toString()) * 1000;
    turns.push({ who: voice, startMs: at, endMs: at + ms });
    at += ms + PAUSE_S * 1000;
    const silence = join(dir, `q${i}.wav`);
    execFileSync('sox', [part, silence, 'pad', '0', String(PAUSE_S)]);
    parts.push(silence);
  });
  const path = join(dir, 'interview.wav');
  execFileSync('sox', [...parts, path]);
  return { path, turns };
}

/** The speaker of the turn a segment overlaps most. */
function truthOf(turns: Turn[], s: { startMs: number; endMs: number }): string {
  const overlap = (t: Turn) => Math.min(t.endMs, s.endMs) - Math.max(t.startMs, s.startMs);
  return turns.reduce((a, b) => (overlap(b) > overlap(a) ? b : a)).who;
}

/** Whether two labellings of the same items group them the same way. */
function samePartition(a: string[], b: string[]): boolean {
  const pairs = new Set(a.map((x, i) => `${x}\u0000${b[i]}`));
  return pairs.size === new Set(a).size && pairs.size === new Set(b).size;
}

async function transcribe(store: CaseStore, file: string): Promise<number> {
  const { item } = await store.importEvidence(file);
  const queued = await store.queueTranscription(item.id, whisperModel('ggml-tiny.en.bin'), {
    threads: 1,
    language: 'en',
  });
  const job = await store.runner().run(queued.id);
  expect(job.state).toBe('done');
  return (job.result as unknown as TranscriptSummary).transcriptId;
}

describe('speakersJob', () => {
  let dir: string;
  let ctx: Awaited<ReturnType<typeof workstationWithCase>>;
  let turns: Turn[];
  let tid: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'toex-speakers-'));
    ctx = await workstationWithCase(join(dir, 'home'));
    const fixture = interviewOfTwo(dir);
    turns = fixture.turns;
    tid = await transcribe(ctx.store, fixture.path);
  });
  afterAll(() => {
    ctx.store.close();
    ctx.workstation.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const suggest = async (options: { speakers?: number } = {}, host?: WorkerHost) => {
    const queued = await ctx.store.queueSpeakers(tid, speakerModel(), { threads: 1, ...options });
    return ctx.store.runner(host).run(queued.id);
  };

  it("groups each voice's segments together, as suggestions that leave the speaker unset", async () => {
    const job = await suggest();

    expect(job.state).toBe('done');
    const segments = ctx.store.transcripts.segmentsAt(tid);
    expect(segments.length).toBeGreaterThanOrEqual(TURNS.length - 1);
    const truth = segments.map((s) => truthOf(turns, s));
    const guessed = segments.map((s) => s.speakerSuggestion ?? '');
    expect(samePartition(truth, guessed), `${truth.join(',')} / ${guessed.join(',')}`).toBe(true);
    expect(new Set(guessed)).toEqual(new Set(['Speaker A', 'Speaker B']));
    // The first voice heard is Speaker A.
    expect(guessed[0]).toBe('Speaker A');
    for (const s of segments) expect(s.speaker).toBeNull();
    expect(job.result).toMatchObject({ transcriptId: tid, speakers: 2, segments: segments.length });

    const rows = newestSpeakerSuggestions(ctx.store.db, tid);
    expect(rows.every((r) => r.jobId === job.id && r.modelId === 'ge2e-speaker-encoder')).toBe(
      true,
    );
    for (const r of rows) expect(r.similarity).toBeGreaterThan(0.6);
    const audit = ctx.store.db
      .prepare(`SELECT details FROM audit WHERE action = 'transcript.speakers'`)
      .all() as { details: string }[];
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0]!.details)).toMatchObject({ jobId: job.id, speakers: 2 });
  });

  it("lets a newer job's suggestions supersede the older, keeping the older rows", async () => {
    const one = await suggest({ speakers: 1 });

    expect(one.state).toBe('done');
    const segments = ctx.store.transcripts.segmentsAt(tid);
    expect(new Set(segments.map((s) => s.speakerSuggestion))).toEqual(new Set(['Speaker A']));
    const count = (
      ctx.store.db.prepare('SELECT count(*) AS n FROM speaker_suggestions').get() as {
        n: number;
      }
    ).n;
    expect(count).toBe(2 * segments.length);

    const two = await suggest({ speakers: 2 });
    expect(two.state).toBe('done');
    const again = ctx.store.transcripts.segmentsAt(tid);
    expect(
      samePartition(
        again.map((s) => truthOf(turns, s)),
        again.map((s) => s.speakerSuggestion ?? ''),
      ),
    ).toBe(true);
  });

  it("keeps an officer's label over the suggestion, and exports a suggestion marked as one", () => {
    const segments = ctx.store.transcripts.segmentsAt(tid);
    const officer = segments.filter((s) => s.speakerSuggestion === 'Speaker A');
    ctx.store.transcripts.edit(tid, {
      changes: officer.map((s) => ({ segmentId: s.id, speaker: 'Interviewer' })),
      reason: 'speaker labelling',
    });

    const now = ctx.store.transcripts.segmentsAt(tid);
    for (const s of now) {
      const wasA = officer.some((o) => o.id === s.id);
      expect(s.speaker).toBe(wasA ? 'Interviewer' : null);
      expect(s.speakerSuggestion).toBe(wasA ? 'Speaker A' : 'Speaker B');
    }
    const speakers = new Set(ctx.store.transcriptDocument(tid).segments.map((s) => s.speaker));
    expect(speakers).toEqual(new Set(['Interviewer', 'Speaker B (suggested)']));
  });

  it('resumes after its worker is killed, embedding each segment once', async () => {
    const inner = new ForkWorkerHost();
    let kills = 0;
    let jobId = '';
    const embedded = () =>
      (
        ctx.store.db
          .prepare('SELECT count(*) AS n FROM speaker_embeddings WHERE job_id = ?')
          .get(jobId) as { n: number }
      ).n;
    const host: WorkerHost = {
      start(entry: string, name: string): WorkerHandle {
        const handle = inner.start(entry, name);
        if (kills === 0) {
          kills += 1;
          void waitFor(() => embedded() >= 2, 60_000).then(() =>
            process.kill(handle.pid!, 'SIGKILL'),
          );
        }
        return handle;
      },
    };
    const queued = await ctx.store.queueSpeakers(tid, speakerModel(), { threads: 1 });
    jobId = queued.id;

    const job = await ctx.store.runner(host).run(queued.id);

    expect(job).toMatchObject({ state: 'done', attempts: 2 });
    const segments = ctx.store.transcripts.segments(tid);
    expect(embedded()).toBe(segments.length);
    expect(
      samePartition(
        segments.map((s) => truthOf(turns, s)),
        segments.map((s) => s.speakerSuggestion ?? ''),
      ),
    ).toBe(true);
  });

  it("listens to each channel's own audio when the channels were transcribed apart", async () => {
    // Left: the officer's microphone; right: the witness's. Both talk at once throughout,
    // so only each channel's own audio, not the two mixed down, holds one voice.
    const sides = [OFFICER, WITNESS].map((who) =>
      TURNS.flatMap(([voice], i) => (voice === who ? [join(dir, `q${i}.wav`)] : [])),
    );
    const [left, right, stereo] = ['left.wav', 'right.wav', 'suite.wav'].map((f) => join(dir, f));
    execFileSync('sox', [...sides[0]!, left!]);
    execFileSync('sox', [...sides[1]!, right!]);
    execFileSync('sox', ['-M', left!, right!, stereo!]);
    const { item } = await ctx.store.importEvidence(stereo!);
    const queued = await ctx.store.queueTranscription(item.id, whisperModel('ggml-tiny.en.bin'), {
      threads: 1,
      language: 'en',
      splitChannels: true,
    });
    const transcribed = await ctx.store.runner().run(queued.id);
    const stereoTid = (transcribed.result as unknown as TranscriptSummary).transcriptId;
    const speakers = await ctx.store.queueSpeakers(stereoTid, speakerModel(), { threads: 1 });

    expect((await ctx.store.runner().run(speakers.id)).state).toBe('done');
    const segments = ctx.store.transcripts.segmentsAt(stereoTid);
    expect(new Set(segments.map((s) => s.channel))).toEqual(new Set([1, 2]));
    const channels = segments.map((s) => String(s.channel));
    const guessed = segments.map((s) => s.speakerSuggestion ?? '');
    expect(samePartition(channels, guessed), `${channels.join(',')} / ${guessed.join(',')}`).toBe(
      true,
    );
    expect(guessed.every((g) => /^Speaker [AB]$/.test(g))).toBe(true);
  });

  it('refuses bad requests with one line each, queueing nothing', async () => {
    const before = ctx.store.jobs.list().length;
    await expect(ctx.store.queueSpeakers(tid, speakerModel(), { speakers: 0 })).rejects.toThrow(
      /^the number of speakers must be a whole number from 1 to 20$/,
    );
    await expect(ctx.store.queueSpeakers(tid, speakerModel(), { threshold: 1.5 })).rejects.toThrow(
      /between 0 and 1/,
    );
    await expect(
      ctx.store.queueSpeakers(tid, whisperModel('ggml-tiny.en.bin')),
    ).rejects.toMatchObject({
      kind: 'bad-input',
      message: 'whisper-tiny.en is not a speaker model',
    });
    await expect(ctx.store.queueSpeakers(999, speakerModel())).rejects.toMatchObject({
      kind: 'not-found',
    });
    await expect(ctx.store.queueTranscription(1, speakerModel())).rejects.toMatchObject({
      kind: 'bad-input',
      message: expect.stringMatching(/not a speech recognition model/),
    });

    const { item } = await ctx.store.importEvidence(join(dir, 'p0.wav'));
    const pending = await ctx.store.queueTranscription(item.id, whisperModel('ggml-tiny.en.bin'));
    const unfinished = ctx.store.transcripts.list().find((t) => t.jobId === pending.id)!;
    await expect(ctx.store.queueSpeakers(unfinished.id, speakerModel())).rejects.toMatchObject({
      kind: 'conflict',
      message: expect.stringMatching(/is not finished/),
    });
    expect(ctx.store.jobs.list().length).toBe(before + 1);
    ctx.store.jobs.requestCancel(pending.id);
  });

  it('fails a recording cut short since it was transcribed, with the reason, keeping the suggestions', async () => {
    const before = ctx.store.transcripts.segmentsAt(tid).map((s) => s.speakerSuggestion);
    const copy = ctx.store.evidence.absolutePath(ctx.store.evidence.list()[0]!);
    const whole = readFileSync(copy);
    chmodSync(copy, 0o600);
    writeFileSync(copy, whole.subarray(0, Math.floor(whole.length / 3)));
    try {
      const job = await suggest();

      expect(job).toMatchObject({
        state: 'failed',
        error: {
          kind: 'bad-input',
          message: expect.stringMatching(
            /^the recording ends before segment \d+ does: it is damaged/,
          ),
        },
      });
      expect(ctx.store.transcripts.segmentsAt(tid).map((s) => s.speakerSuggestion)).toEqual(before);
    } finally {
      writeFileSync(copy, whole);
      chmodSync(copy, 0o444);
    }
  });

  const reader = (n: number) => join(CORPUS, 'audio', `en_pocketsphinx_librivox_0${n}.wav`);
  const leopard = join(CORPUS, 'audio', 'en_leopard_test.wav');
  it.skipIf(![reader(870), reader(880), reader(890), leopard].every((f) => existsSync(f)))(
    'tells three real voices apart: a LibriVox reader, President Kennedy and the Leopard test speaker',
    async () => {
      const clips: [string, string][] = [
        ['reader', reader(870)],
        ['kennedy', JFK_WAV],
        ['reader', reader(890)],
        ['leopard', leopard],
        ['reader', reader(880)],
      ];
      const real: Turn[] = [];
      const parts: string[] = [];
      let at = 0;
      clips.forEach(([who, file], i) => {
        const part = join(dir, `real${i}.wav`);
        execFileSync('sox', [file, '-r', '16000', '-c', '1', part, 'pad', '0', String(PAUSE_S)]);
        const ms = Number(execFileSync('soxi', ['-D', part]).toString()) * 1000;
        real.push({ who, startMs: at, endMs: at + ms - PAUSE_S * 1000 });
        at += ms;
        parts.push(part);
      });
      const path = join(dir, 'three.wav');
      execFileSync('sox', [...parts, path]);
      const realTid = await transcribe(ctx.store, path);
      const queued = await ctx.store.queueSpeakers(realTid, speakerModel(), { threads: 1 });

      expect((await ctx.store.runner().run(queued.id)).state).toBe('done');
      const segments = ctx.store.transcripts.segments(realTid);
      const truth = segments.map((s) => truthOf(real, s));
      const guessed = segments.map((s) => s.speakerSuggestion ?? '');
      const sims = newestSpeakerSuggestions(ctx.store.db, realTid).map((g) =>
        g.similarity?.toFixed(2),
      );
      expect(
        samePartition(truth, guessed),
        `${truth.join(',')} / ${guessed.join(',')} / ${sims.join(',')}`,
      ).toBe(true);
      expect(new Set(guessed).size).toBe(3);
    },
  );

  const phone = join(CORPUS, 'audio', 'en_pyannote_phone_conversation.wav');
  it.skipIf(!existsSync(phone) || !existsSync(phone.replace(/\.wav$/, '.rttm')))(
    'gives most segments of a real two-party phone call the speaker the reference annotation has (pyannote test file)',
    async () => {
      const rttm = readFileSync(phone.replace(/\.wav$/, '.rttm'), 'utf8')
        .trim()
        .split('\n')
        .map((line) => line.split(/\s+/))
        .map((f) => ({
          who: f[7]!,
          startMs: Number(f[3]) * 1000,
          endMs: (Number(f[3]) + Number(f[4])) * 1000,
        }));
      const phoneTid = await transcribe(ctx.store, phone);
      const queued = await ctx.store.queueSpeakers(phoneTid, speakerModel(), {
        threads: 1,
        speakers: 2,
      });
      expect((await ctx.store.runner().run(queued.id)).state).toBe('done');

      const segments = ctx.store.transcripts.segments(phoneTid);
      // Each suggested label stands for the reference speaker most of its segments have.
      const truth = segments.map((s) => truthOf(rttm, s));
      const votes = new Map<string, Map<string, number>>();
      segments.forEach((s, i) => {
        const tally = votes.get(s.speakerSuggestion!) ?? new Map<string, number>();
        tally.set(truth[i]!, (tally.get(truth[i]!) ?? 0) + 1);
        votes.set(s.speakerSuggestion!, tally);
      });
      const right = [...votes.values()].reduce((n, tally) => n + Math.max(...tally.values()), 0);
      const share = right / segments.length;
      const stands = new Map(
        [...votes].map(([label, tally]) => [
          label,
          [...tally].reduce((a, b) => (b[1] > a[1] ? b : a))[0],
        ]),
      );
      // The same over time: the reference's speech, 10 ms at a time, against its segment's label.
      let heard = 0;
      let agreed = 0;
      for (const turn of rttm) {
        for (let ms = turn.startMs; ms < turn.endMs; ms += 10) {
          const s = segments.find((x) => x.startMs <= ms && ms < x.endMs);
          heard += 1;
          if (s && stands.get(s.speakerSuggestion!) === turn.who) agreed += 1;
        }
      }
      process.stdout.write(
        `phone call: ${right} of ${segments.length} segments (${(share * 100).toFixed(0)}%) get the reference speaker of their span; ${((agreed / heard) * 100).toFixed(0)}% of the reference speech time agrees\n`,
      );
      expect(segments.length).toBeGreaterThanOrEqual(4);
      expect(share).toBeGreaterThanOrEqual(0.6);
      // Not yet: one suggestion per segment, and Whisper's segments here hold both
      // people, so the share of speech time that agrees (printed above; 47% with
      // window packing) is no better than calling everything the main speaker. It
      // is reported, not asserted, until segments are split at a change of voice.
    },
  );
});
