import cliProgress from 'cli-progress';

export interface ProgressSink {
  update(done: number, total: number, label?: string): void;
  stop(): void;
}

function megabytes(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(1);
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
      format: `${options.title} [{bar}] {percentage}% | {doneMb}/{totalMb} MB | ETA {eta_formatted} {label}`,
      stream: process.stderr,
      hideCursor: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total, label) {
      if (!started) {
        bar.start(Math.max(1, total), 0, { doneMb: '0.0', totalMb: megabytes(total), label: '' });
        started = true;
      }
      bar.setTotal(Math.max(1, total));
      bar.update(done, { doneMb: megabytes(done), totalMb: megabytes(total), label: label ?? '' });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
