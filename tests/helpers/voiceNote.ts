import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { speechFile } from './audio.js';
import { chatText, writeChatZip } from './whatsappExport.js';

/** The file name WhatsApp gives the voice note the exported chat holds. */
export const NOTE = 'PTT-20240309-WA0001.opus';

/**
 * A voice note as WhatsApp records one: real speech (espeak-ng; `voice` as
 * speechFile takes it), Opus in Ogg, 16 kHz mono.
 */
export function voiceNote(dir: string, words: string, voice = 'en-gb'): Buffer {
  const wav = speechFile(dir, 'note.wav', words, voice);
  const opus = join(dir, 'note.opus');
  execFileSync('ffmpeg', [
    '-nostdin',
    '-v',
    'error',
    '-i',
    wav,
    '-ar',
    '16000',
    '-ac',
    '1',
    '-c:a',
    'libopus',
    '-b:a',
    '24k',
    '-y',
    opus,
  ]);
  return readFileSync(opus);
}

/** An exported chat whose zip holds one voice note; a second is named but was not exported. */
export function chatWithVoiceNote(
  dir: string,
  note: Buffer,
  extra: Record<string, Uint8Array> = {},
) {
  const text = chatText('android-dmy', [
    { at: '2024-03-09T20:15:00Z', from: 'Dan', text: 'where are you' },
    { at: '2024-03-09T20:16:00Z', from: 'Kai', text: `${NOTE} (file attached)` },
    { at: '2024-03-09T20:17:00Z', from: 'Kai', text: 'PTT-20240309-WA0002.opus (file attached)' },
    { at: '2024-03-09T20:18:00Z', from: 'Dan', text: 'IMG-20240309-WA0003.jpg (file attached)' },
  ]);
  return writeChatZip(dir, text, {
    [NOTE]: note,
    'IMG-20240309-WA0003.jpg': Buffer.from('not audio'),
    ...extra,
  });
}
