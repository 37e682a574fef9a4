import { describe, expect, it } from 'vitest';

import { showControls, showControlsKeepingLines } from '../../main/visibleText.js';

describe('showControls', () => {
  it('writes out direction overrides, so a name cannot pass for another', () => {
    expect(showControls('\u202efdp.exe')).toBe('\\u{202e}fdp.exe');
    expect(showControls('RTL \u202eevil.exe\u202c gnp.txt')).toBe(
      'RTL \\u{202e}evil.exe\\u{202c} gnp.txt',
    );
    expect(showControls('a\u2066b\u2069\u200e\u200f')).toBe(
      'a\\u{2066}b\\u{2069}\\u{200e}\\u{200f}',
    );
  });

  it('writes out C0 and C1 controls, escape codes among them, and leaves other text alone', () => {
    expect(showControls('\u001b[31mred\u0000\u0085')).toBe('\\u{1b}[31mred\\u{0}\\u{85}');
    expect(showControls('明天老王去火车站 — ça va? مرحبا')).toBe('明天老王去火车站 — ça va? مرحبا');
  });

  it('keeps line breaks and tabs in a message body, and only those', () => {
    expect(showControlsKeepingLines('one\ntwo\r\n\tthree\u202e\u000b')).toBe(
      'one\ntwo\r\n\tthree\\u{202e}\\u{b}',
    );
  });
});
