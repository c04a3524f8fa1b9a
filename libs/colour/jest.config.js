module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'colour',
  rootDir: __dirname,
};
