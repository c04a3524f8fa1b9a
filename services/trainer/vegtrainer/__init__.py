"""vegvision trainer: MobileNetV2 transfer learning for the 15-class vegetable classifier."""

__version__ = "0.1.0"
