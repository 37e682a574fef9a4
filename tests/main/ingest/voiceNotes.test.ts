import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { isAudio } from '../../../main/ingest/voiceNotes.js';
import { searchMessages } from '../../../main/ingest/messageSearch.js';
import { newCaseSteps, toex, toexSteps } from '../../helpers/cli.js';
import { ingestedInNewCase } from '../../helpers/ingest.js';
import { whisperModel } from '../../helpers/models.js';
import { useTempDirs } from '../../helpers/temp.js';
import { NOTE, chatWithVoiceNote, voiceNote } from '../../helpers/voiceNote.js';
import { markEncrypted, writeUfdrZip } from '../../helpers/ufdrReport.js';
import { writeFsTar } from '../../helpers/fsArchive.js';
import { whatsappMsgstoreDb } from '../../helpers/whatsappMsgstoreDb.js';
import { chatText, writeChatZip } from '../../helpers/whatsappExport.js';

const tempDir = useTempDirs();
const MODEL = whisperModel('ggml-tiny.en.bin');

describe('voice notes', () => {
  it('tells audio attachments by type or by name', () => {
    expect(isAudio(null, 'audio/ogg; codecs=opus', null)).toBe(true);
    expect(isAudio('x.bin', 'application/ogg', null)).toBe(true);
    expect(isAudio('voice.M4A', null, null)).toBe(true);
    expect(isAudio(null, null, 'Library/SMS/Attachments/ab/Audio Message.caf')).toBe(true);
    expect(isAudio('photo.jpg', 'image/jpeg', 'photo.jpg')).toBe(false);
    expect(isAudio(null, null, null)).toBe(false);
  });

  it('copies a voice note out of its extraction, transcribes it, and finds the message by its words', async () => {
    const dir = tempDir();
    const note = voiceNote(dir, 'Meet me at the train station at nine tonight.');
    const zip = chatWithVoiceNote(dir, note);
    const ctx = await ingestedInNewCase(tempDir(), zip);
    try {
      const { links, jobs } = await ctx.store.queueVoiceNotes(MODEL, { threads: 1 });
      expect(links).toMatchObject({ found: 2, linked: 1, alreadyLinked: 0 });
      expect(links.skipped).toHaveLength(1);
      expect(links.skipped[0]!.reason).toMatch(/does not hold the file/);
      expect(jobs).toHaveLength(1);

      // The copy is an item of its own, hashed, named by where it sat in the export.
      const copy = ctx.store.evidence.get(Number(jobs[0]!.params.evidenceId));
      expect(copy.sha256).toBe(createHash('sha256').update(note).digest('hex'));
      expect(copy.originalName).toBe(NOTE);
      expect(copy.originalPath).toBe(`${ctx.item.originalPath}!/${NOTE}`);
      expect(copy.sourceMtime).toBeNull();
      expect(
        ctx.store.db.prepare('SELECT parent_id, inner_path FROM evidence_derivations').all(),
      ).toEqual([{ parent_id: ctx.item.id, inner_path: NOTE }]);

      const [done] = await ctx.store.runner().runEach(jobs.map((j) => j.id));
      expect(done!.state).toBe('done');

      const found = searchMessages(ctx.store.db, { search: 'station' });
      expect(found).toHaveLength(1);
      expect(found[0]!.body).toBe(`${NOTE} (file attached)`);
      expect(found[0]!.voiceNotes).toEqual([
        expect.objectContaining({ evidenceId: copy.id, state: 'done', version: 1 }),
      ]);
      expect(found[0]!.voiceNotes[0]!.text).toMatch(/train station/i);

      // In the thread, the voice note's words sit under its message; other messages have none.
      const thread = searchMessages(ctx.store.db, { threadId: found[0]!.threadId });
      expect(thread.map((m) => m.voiceNotes.length)).toEqual([0, 1, 0, 0]);

      // A correction is what the search finds from then on.
      const transcriptId = found[0]!.voiceNotes[0]!.transcriptId!;
      const [segment] = ctx.store.transcripts.segments(transcriptId);
      ctx.store.transcripts.edit(transcriptId, {
        changes: [{ segmentId: segment!.id, text: 'Meet me at the bus depot at nine tonight.' }],
        reason: 'checked against the audio',
      });
      expect(searchMessages(ctx.store.db, { search: 'depot' }).map((m) => m.id)).toEqual([
        found[0]!.id,
      ]);
      expect(searchMessages(ctx.store.db, { search: 'station' })).toEqual([]);
      expect(searchMessages(ctx.store.db, { search: 'depot' })[0]!.voiceNotes[0]!.version).toBe(2);

      // Asked again, nothing is copied or transcribed twice.
      const again = await ctx.store.queueVoiceNotes(MODEL, { threads: 1 });
      expect(again.links).toMatchObject({ found: 2, linked: 0, alreadyLinked: 1 });
      expect(again.jobs).toEqual([]);
      expect(ctx.store.evidence.list()).toHaveLength(2);
    } finally {
      ctx.close();
    }
  });

  it('refuses an entry packed like a zip bomb', async () => {
    const dir = tempDir();
    const text = chatText('android-dmy', [
      { at: '2024-03-09T20:16:00Z', from: 'Kai', text: 'PTT-20240309-WA0009.opus (file attached)' },
    ]);
    // 64 MiB of zeros deflates about a thousand to one: no audio codec's output does.
    const zip = writeChatZip(dir, text, {
      'PTT-20240309-WA0009.opus': new Uint8Array(64 * 2 ** 20),
    });
    const ctx = await ingestedInNewCase(tempDir(), zip);
    try {
      const { links, jobs } = await ctx.store.queueVoiceNotes(MODEL);
      expect(links).toMatchObject({ found: 1, linked: 0 });
      expect(links.skipped.map((s) => s.reason)).toEqual([
        expect.stringMatching(/compressed \d+ to 1, which no audio is/),
      ]);
      expect(jobs).toEqual([]);
      expect(ctx.store.evidence.list()).toHaveLength(1);
    } finally {
      ctx.close();
    }
  });

  it('copies the voice notes out of a UFDR archive, and says why an encrypted one is not', async () => {
    const dir = tempDir();
    const note = voiceNote(dir, 'See you at the market.');
    const kai = { id: '447700900123', name: 'Kai' };
    const report = {
      chats: [
        {
          source: 'WhatsApp',
          participants: [kai, { id: '447700900456', owner: true }],
          messages: [
            {
              from: kai,
              time: '2024-03-09T20:16:00.000+00:00',
              attachments: [
                // Physical Analyzer's own field, with its backslashes, beside the app's remote URL.
                {
                  filename: 'a.opus',
                  contentType: 'audio/ogg',
                  url: 'https://mmg.whatsapp.net/v/t62/a',
                  extractedPath: 'files\\Audio\\a.opus',
                },
              ],
            },
            {
              from: kai,
              time: '2024-03-09T20:17:00.000+00:00',
              attachments: [
                { filename: 'b.opus', contentType: 'audio/ogg', url: 'files/Audio/b.opus' },
              ],
            },
          ],
        },
      ],
    };
    const plain = writeUfdrZip(dir, report, {
      files: { 'files/Audio/a.opus': note, 'files/Audio/b.opus': note.subarray(0, 2000) },
    });
    const ufdr = join(dir, 'locked.ufdr');
    writeFileSync(ufdr, markEncrypted(readFileSync(plain), 'files/Audio/b.opus'));
    const ctx = await ingestedInNewCase(tempDir(), ufdr);
    try {
      const { links, jobs } = await ctx.store.queueVoiceNotes(MODEL);
      expect(links).toMatchObject({ found: 2, linked: 1 });
      expect(links.skipped.map((s) => s.reason)).toEqual([
        'its archive entry is not read: it is encrypted',
      ]);
      expect(jobs).toHaveLength(1);
      const copy = ctx.store.evidence.get(Number(jobs[0]!.params.evidenceId));
      expect(copy.originalPath).toBe(`${ctx.item.originalPath}!/files/Audio/a.opus`);
      expect(copy.sha256).toBe(createHash('sha256').update(note).digest('hex'));
    } finally {
      ctx.close();
    }
  });

  it("finds a WhatsApp voice note in a phone's file system by the path msgstore.db gives, and refuses one two files could be", async () => {
    const dir = tempDir();
    const note = voiceNote(dir, 'The van is outside.');
    const VOICE = 'Media/WhatsApp Voice Notes/202403/PTT-20240309-WA0002.opus';
    const TWICE = 'Media/WhatsApp Voice Notes/202403/PTT-20240309-WA0003.opus';
    const msgstore = whatsappMsgstoreDb(dir, {
      schema: 'modern',
      chats: [{ jid: '447700900123@s.whatsapp.net' }],
      messages: [
        {
          chat: '447700900123@s.whatsapp.net',
          fromMe: false,
          type: 2,
          timestamp: Date.parse('2024-03-09T21:00:00Z'),
          media: { mime: 'audio/ogg; codecs=opus', size: note.length, path: VOICE },
        },
        {
          chat: '447700900123@s.whatsapp.net',
          fromMe: false,
          type: 2,
          timestamp: Date.parse('2024-03-09T21:01:00Z'),
          media: { mime: 'audio/ogg; codecs=opus', size: note.length, path: TWICE },
        },
      ],
    });
    const tgz = writeFsTar(
      dir,
      {
        'data/data/com.whatsapp/databases/msgstore.db': msgstore,
        [`storage/emulated/0/WhatsApp/${VOICE}`]: note,
        [`storage/emulated/0/WhatsApp/${TWICE}`]: note,
        [`storage/emulated/0/Android/media/com.whatsapp/WhatsApp/${TWICE}`]: note,
      },
      { gzip: true },
    );
    const ctx = await ingestedInNewCase(tempDir(), tgz);
    try {
      expect(ctx.job.result).toMatchObject({ format: 'archive.fs', messages: 2 });
      const { links, jobs } = await ctx.store.queueVoiceNotes(MODEL);
      expect(links).toMatchObject({ found: 2, linked: 1 });
      expect(links.skipped.map((s) => s.reason)).toEqual([
        `2 files in item ${ctx.item.id} end with the path the message gives`,
      ]);
      const copy = ctx.store.evidence.get(Number(jobs[0]!.params.evidenceId));
      expect(copy.originalPath).toBe(
        `${ctx.item.originalPath}!/storage/emulated/0/WhatsApp/${VOICE}`,
      );
      expect(copy.sha256).toBe(createHash('sha256').update(note).digest('hex'));
    } finally {
      ctx.close();
    }
  });

  it('does not try again a voice note whose audio could not be decoded', async () => {
    const dir = tempDir();
    const zip = chatWithVoiceNote(dir, Buffer.from('these bytes are no audio at all'));
    const ctx = await ingestedInNewCase(tempDir(), zip);
    try {
      const first = await ctx.store.queueVoiceNotes(MODEL, { threads: 1 });
      const [failed] = await ctx.store.runner().runEach(first.jobs.map((j) => j.id));
      expect(failed).toMatchObject({ state: 'failed', error: { kind: 'bad-input' } });
      const again = await ctx.store.queueVoiceNotes(MODEL, { threads: 1 });
      expect(again.jobs).toEqual([]);
      expect(again.undecodable).toEqual([Number(first.jobs[0]!.params.evidenceId)]);
    } finally {
      ctx.close();
    }
  });

  it('checks the model before copying anything', async () => {
    const dir = tempDir();
    const zip = chatWithVoiceNote(dir, voiceNote(dir, 'hello'));
    const ctx = await ingestedInNewCase(tempDir(), zip);
    try {
      const notAModel = join(dir, 'note.opus');
      await expect(ctx.store.queueVoiceNotes(notAModel)).rejects.toThrow(/model/);
      expect(ctx.store.evidence.list()).toHaveLength(1);
    } finally {
      ctx.close();
    }
  });

  it('runs from the command line: toex transcribe <case> --voice-notes, then toex messages shows it', async () => {
    const dir = tempDir();
    const zip = chatWithVoiceNote(dir, voiceNote(dir, 'Bring the money to the car park.'));
    const home = tempDir();
    const REF = 'OP-VN/2026/1';
    await toexSteps(home, [...newCaseSteps(REF, [zip]), ['ingest', REF, '1']]);

    const run = await toex(home, [
      'transcribe',
      REF,
      '--voice-notes',
      '--model',
      MODEL,
      '--threads',
      '1',
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /2 voice notes in the extractions: 1 copied into the case now, 0 before, 1 not copied\./,
    );
    expect(run.stdout).toMatch(/1 of 1 transcribed:\n {2}\w{8} {2}item 2: done, \d+ segments/);

    const shown = await toex(home, ['messages', REF, '--search', 'park']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(
      new RegExp(
        `${NOTE} \\(file attached\\).*\\n {4}voice note \\(item 2\\), transcript 1 \\(machine transcription\\): .*car park`,
        'i',
      ),
    );

    const bad = await toex(home, ['transcribe', REF, '--model', MODEL]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/name the recordings to transcribe .* or give --voice-notes/);
  });
});
