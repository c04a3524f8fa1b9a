// ONNX vegetable classifier
