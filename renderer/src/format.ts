/** 2026-12-05T10:04:09Z as 05/12/2026 10:04:09 UTC: evidence times are read in UTC, to the second. */
export function dateTime(iso: string | null): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const pad = (n: number) => String(n).padStart(2, '0');
  const day = `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}`;
  return `${day} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} UTC`;
}

/**
 * When a message was sent, as its source gave it: UTC, or the phone's own
 * clock when the source (a WhatsApp export) says so but not in which zone.
 */
export function sentTime(iso: string | null, flags: readonly string[]): string {
  const shown = dateTime(iso);
  if (!iso || !flags.includes('local-time-unknown-zone')) return shown;
  const guessed = flags.includes('date-order-guessed') ? ', day and month order guessed' : '';
  return `${shown.replace(/ UTC$/, '')} phone's local time (zone unknown${guessed})`;
}

/** The flags a message row shows as words; the time ones are said with the time. */
export function flagWords(flags: readonly string[]): string[] {
  return flags.filter((f) => f !== 'local-time-unknown-zone' && f !== 'date-order-guessed');
}

/** 83500 ms as 1:23.5 */
export function clock(ms: number): string {
  const s = ms / 1000;
  const m = Math.floor(s / 60);
  const h = Math.floor(m / 60);
  const sec = (s % 60).toFixed(1).padStart(4, '0');
  return h > 0 ? `${h}:${String(m % 60).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}
