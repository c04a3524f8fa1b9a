import { SingleBar, Presets } from 'cli-progress';

/** A progress bar on stderr (plain lines when stderr is not a terminal). */
export function progressBar(label: string): SingleBar {
  return new SingleBar(
    {
      format: `${label.padEnd(10)} [{bar}] {percentage}% | {value}/{total} | {eta_formatted} left | {detail}`,
      stream: process.stderr,
      noTTYOutput: true,
      notTTYSchedule: 2000,
      hideCursor: true,
      etaBuffer: 50,
    },
    Presets.shades_classic,
  );
}

/**
 * A progress bar that starts on the first report (when the total is known) and follows a growing total;
 * `report(done, total, detail)` feeds it, `stop()` ends it if it started.
 */
export function replayProgress(label: string): { report(done: number, total: number, detail: string): void; stop(): void } {
  const bar = progressBar(label);
  let started = false;
  return {
    report(done, total, detail) {
      if (!started) {
        bar.start(Math.max(total, 1), 0, { detail: '' });
        started = true;
      }
      bar.setTotal(Math.max(total, 1));
      bar.update(done, { detail });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
