module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'reliability',
  rootDir: __dirname,
  // testEnvironment comes from jest.preset.js (shares typed arrays with onnxruntime-node).
};
