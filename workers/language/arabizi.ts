/**
 * Arabic written in Latin letters ("Arabizi": `wenak ya 5ayi, ba3atlak el
 * masari`), as chat in Arabic is often typed. No general detector knows it:
 * their Latin-script models read it as Swahili, Malay or Welsh. Two cues tell
 * it: the digits that stand for Arabic sounds Latin lacks (2 hamza, 3 ain,
 * 5 kha, 7 ha, 9 qaf or sad), written inside or at the start of a word, and
 * words common in Levantine, Gulf and Egyptian chat. The lexicon leaves out
 * words that are also ordinary words in other languages ("fi" in Romanian,
 * "bas" in French, "ya" in Spanish, "tamam" in Turkish).
 */

const LEXICON = new Set(
  `
  yalla yallah habibi habibti 7abibi 7abibti wallah wallahi walla inshallah insha2allah inshalla
  mashallah khalas 5alas khalass shu shou sho kifak kifik keefak keefik kaifak mish msh akhi
  5ayi khayi hayda hayde halla2 hala2 hal2 ba3den ba3dain ba3dein ma3 ma3i 3ala 3al 3am ya3ni
  yaani tayeb tayyeb mafi ma2dar enta inta enti inti howe hiye ahlan marhaba shukran lesh leish
  laish wein wenak wenik feen izzay ezay ezzay keda kida awi mumkin momken bukra bokra ma3lesh
  ma3lish sa7 sa7bi sahbi 3ayez 3awez ba2a delwa2ti dilwa2ti e7na ne7na hek heik kteer ktir
  shway shwaya masari fulus flous shi hon mni7 mne7 hayk kamen lissa ba3d
  `
    .trim()
    .split(/\s+/),
);

/** The article, a cue only beside another: alone it is Spanish, Catalan or Italian as often. */
const ARTICLES = new Set(['el', 'il', 'al']);

/** A digit for an Arabic sound, touching a letter: `3al`, `ma7al`, `2addesh`, `5ayi`. */
const SOUND_DIGIT = /(?:^|\p{L})[235679]|[235679](?=\p{L})/u;

/** Numbers that are measures or English text-speak, not sounds: 3pm, 2nd, 5k, 2moro, me2. */
const NOT_SOUNDS =
  /^(?:\d+(?:am|pm|st|nd|rd|th|er|ere|eme|ème|k|m|x|s|p|g|kg|h|hr|hrs|min|mins|ish)|2day|2moro|2morrow|2nite|2night|2gether|me2|u2|2u|2b)$/i;

export interface ArabiziCues {
  /** Words of the text, as counted. */
  words: number;
  soundDigits: number;
  lexicon: number;
  articles: number;
}

export function arabiziCues(text: string): ArabiziCues {
  const words = text.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? [];
  let soundDigits = 0;
  let lexicon = 0;
  let articles = 0;
  for (const word of words) {
    if (LEXICON.has(word)) lexicon += 1;
    if (ARTICLES.has(word)) articles += 1;
    if (/\p{L}/u.test(word) && !NOT_SOUNDS.test(word) && SOUND_DIGIT.test(word)) soundDigits += 1;
  }
  return { words: words.length, soundDigits, lexicon, articles };
}

/**
 * True when the cues add up to Arabizi: two of them (an article counting
 * only beside a sound digit or a lexicon word), or one lexicon word in a
 * message of at most four words ("wallah", "yalla bro", "khalas ma fi shi").
 */
export function looksArabizi(cues: ArabiziCues): boolean {
  const strong = cues.soundDigits + cues.lexicon;
  if (strong >= 2 || (strong >= 1 && cues.articles >= 1)) return true;
  return cues.lexicon === 1 && cues.words <= 4;
}
