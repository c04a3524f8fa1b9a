// Browser end-to-end tests of the web console: the real embedded product (child processes,
// temp data dir, seed sample imported) driven through Debian's Chromium with playwright-core.
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'e2e-browser',
  rootDir: __dirname,
};
