module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'imaging',
  rootDir: __dirname,
};
