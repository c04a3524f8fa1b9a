// Dominant-colour detection on the RGB and RYB palettes
