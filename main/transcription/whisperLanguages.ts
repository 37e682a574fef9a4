import { ToexError } from '../errors.js';

/**
 * The languages whisper.cpp 1.5.0 can be told to transcribe, in the order of
 * its language table (the order is the models' language token order). The
 * table also names yue (Cantonese), which only large-v3's larger vocabulary
 * has: for the models this build can use its token would be another one's.
 */
export const WHISPER_LANGUAGES: readonly string[] = (
  'en zh de es ru ko fr ja pt tr pl ca nl ar sv it id hi fi vi he uk el ms cs ro da hu ta no th ' +
  'ur hr bg lt la mi ml cy sk te fa lv bn sr az sl kn et mk br eu is hy ne mn bs kk sq sw gl mr ' +
  'pa si km sn yo so af oc ka be tg sd gu am yi lo uz fo ht ps tk nn mt sa lb my bo tl mg as tt ' +
  'haw ln ha ba jw su'
).split(' ');

/** What the manifest says a model knows: `multilingual`, or a list of codes. */
export interface ModelLanguages {
  id: string;
  languages: readonly string[];
}

/**
 * The language a transcription runs with, checked before anything is queued.
 * Left out, it is `auto` for a multilingual model and `en` for an English-only
 * one. An English-only model is never asked to detect: it hears every language
 * as English and writes invented English marked `en`, so `auto` with it is refused.
 */
export function transcriptionLanguage(
  requested: string | undefined,
  model: ModelLanguages,
): string {
  const multilingual = model.languages.includes('multilingual');
  const language = requested?.trim().toLowerCase() || (multilingual ? 'auto' : 'en');
  if (language !== 'auto' && !WHISPER_LANGUAGES.includes(language)) {
    throw new ToexError(
      'bad-input',
      `Whisper knows no language "${requested}": give auto or one of its ${WHISPER_LANGUAGES.length} codes, such as en, pl, ro, ar`,
    );
  }
  // Not yet: speech in another language given to an English-only model as en still comes
  // out as invented English.
  if (multilingual || model.languages.includes(language)) return language;
  if (language === 'auto') {
    throw new ToexError(
      'bad-input',
      `${model.id} knows ${model.languages.join(', ')} only and cannot detect a language: give --language ${model.languages[0]}, or use a multilingual model (such as whisper-base) to detect it`,
    );
  }
  throw new ToexError(
    'bad-input',
    `${model.id} knows ${model.languages.join(', ')} only; for ${language} use a multilingual model (such as whisper-base)`,
  );
}
