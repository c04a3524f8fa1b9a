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
