// C0 and C1 controls (escape sequences among them) and the bidirectional
// overrides that can make text display in another order than it is stored.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text from a suspect's device made safe to show, in a terminal or in the
 * window: each control or direction character written out as `\u{202e}`, so
 * that `\u{202e}fdp.exe` cannot pass for "exe.pdf" nor an escape code
 * recolour the examiner's screen. Shared code: it imports nothing.
 */
export function showControls(text: string): string {
  return text.replace(UNSAFE, (ch) => `\\u{${ch.codePointAt(0)!.toString(16)}}`);
}

/** The same, keeping line breaks and tabs, for message bodies shown over several lines. */
export function showControlsKeepingLines(text: string): string {
  return text
    .split(/(\r?\n|\t)/)
    .map((part, i) => (i % 2 === 1 ? part : showControls(part)))
    .join('');
}
