// Jest reporter: at the end of a run, lists every test file that skipped tests and why.
// Jest does not print the console of a file whose every test is skipped, so the reasons the
// suites give (`console.warn('SKIPPED: …')` before a describe.skip) would be lost; this reporter
// collects them from the buffered console of each file and prints them after the summary
// (files whose tests are skipped without a printed reason are listed too).
const fs = require('node:fs');
const path = require('node:path');

const PREFIX = 'SKIPPED:';

class SkipReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
    this.skipped = [];
  }

  onTestResult(_test, result) {
    const pending = result.numPendingTests + result.numTodoTests;
    const reasons = [];
    for (const entry of result.console ?? []) {
      const message = String(entry.message);
      if (message.startsWith(PREFIX)) reasons.push(message.slice(PREFIX.length).trim());
    }
    if (pending === 0 && reasons.length === 0) return;
    // No buffered console (verbose mode, e.g. a single file): the reason was printed live.
    const live = result.console === undefined || result.console === null;
    this.skipped.push({ file: path.relative(this.rootDir, result.testFilePath), pending, live, reasons: [...new Set(reasons)] });
  }

  onRunComplete() {
    if (this.skipped.length === 0) return;
    const total = this.skipped.reduce((n, s) => n + s.pending, 0);
    const lines = [`Skipped: ${total} test(s) in ${this.skipped.length} file(s) — run \`npm run test:all\` to start the servers and run everything:`];
    for (const s of this.skipped.sort((a, b) => a.file.localeCompare(b.file))) {
      const why = s.reasons.length
        ? s.reasons.join('; ')
        : s.live
          ? 'a SKIPPED reason, if the file gave one, is printed with its output above'
          : 'no reason printed (it.skip / describe.skip in the file)';
      lines.push(`  ${s.file} (${s.pending} skipped): ${why}`);
    }
    // Printed as the process exits, so that the list comes after Jest's summary.
    process.once('exit', () => fs.writeSync(2, `\n${lines.join('\n')}\n`));
  }
}

module.exports = SkipReporter;
