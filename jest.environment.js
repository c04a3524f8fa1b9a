// Jest's node environment gives each test file its own realm, so typed arrays created by native
// addons (onnxruntime-node's output tensors) fail onnxruntime-common's `instanceof Float32Array`
// check ("A float32 tensor's data must be type of function Float32Array()"). Share the outer
// realm's typed-array constructors with the test realm (Jest already does this for Uint8Array).
const { TestEnvironment } = require('jest-environment-node');

const SHARED = [
  'Float32Array', 'Float64Array', 'Int8Array', 'Int16Array', 'Int32Array', 'Uint8ClampedArray', 'Uint16Array',
  'Uint32Array', 'BigInt64Array', 'BigUint64Array',
];

class SharedTypedArraysEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of SHARED) if (globalThis[name]) this.global[name] = globalThis[name];
  }
}

module.exports = SharedTypedArraysEnvironment;
