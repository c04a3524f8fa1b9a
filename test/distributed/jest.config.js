module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'distributed',
  rootDir: __dirname,
};
