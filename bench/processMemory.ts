import { readFileSync, readdirSync } from 'node:fs';

/** The process and all its descendants, from /proc. */
function family(root: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone between the listing and the read
    }
  }
  const out = [root];
  for (let i = 0; i < out.length; i++) out.push(...(parents.get(out[i]!) ?? []));
  return out;
}

function residentKb(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/**
 * Samples the resident memory of a process tree every 20 ms and keeps the
 * largest total seen: the peak of everything a pipeline runs at once.
 */
export function watchPeakMemory(root: number): () => number {
  let peakKb = 0;
  const timer = setInterval(() => {
    const total = family(root).reduce((sum, pid) => sum + residentKb(pid), 0);
    peakKb = Math.max(peakKb, total);
  }, 20);
  return () => {
    clearInterval(timer);
    return peakKb * 1024;
  };
}
