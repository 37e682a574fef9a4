import cliProgress from 'cli-progress';

export interface ProgressSink {
  /** `amount` says how far in the job's own units; megabytes when left out. */
  update(done: number, total: number, label?: string, amount?: string): void;
  stop(): void;
}

function megabytes(done: number, total: number): string {
  return `${(done / (1024 * 1024)).toFixed(1)}/${(total / (1024 * 1024)).toFixed(1)} MB`;
}

/**
 * A progress bar on stderr when a person is watching; with --json, one JSON
 * line per update instead; otherwise nothing, so logs of scripted runs stay clean.
 */
export function progressSink(options: { json: boolean; title: string }): ProgressSink {
  if (options.json) {
    let last = 0;
    return {
      update(done, total, label) {
        const now = Date.now();
        if (now - last < 200 && done < total) return;
        last = now;
        process.stderr.write(
          JSON.stringify({ event: 'progress', title: options.title, done, total, label }) + '\n',
        );
      },
      stop() {},
    };
  }
  if (!process.stderr.isTTY) return { update() {}, stop() {} };

  const bar = new cliProgress.SingleBar(
    {
      format: `${options.title} [{bar}] {percentage}% | {amount} | ETA {eta_formatted} {label}`,
      stream: process.stderr,
      hideCursor: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total, label, amount) {
      const payload = { amount: amount ?? megabytes(done, total), label: label ?? '' };
      if (!started) {
        bar.start(Math.max(1, total), 0, payload);
        started = true;
      }
      bar.setTotal(Math.max(1, total));
      bar.update(done, payload);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
