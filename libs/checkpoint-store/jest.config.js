module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'checkpoint-store',
  rootDir: __dirname,
};
