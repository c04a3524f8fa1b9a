// Dominant-colour detection on the RGB and RYB palettes
export * from './palettes';
export * from './detect';
export * from './subject-mask';
export * from './subject-hue';
export * from './subject-oklab';
