import 'reflect-metadata';
import { buildProgram } from './program';

buildProgram()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`vegvision: ${message}\n`);
    process.exit(typeof process.exitCode === 'number' && process.exitCode !== 0 ? process.exitCode : 1);
  });
