module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'vegvision',
  rootDir: __dirname,
};
