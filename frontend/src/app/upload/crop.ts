// Client-side crop: a selection in fractions of the displayed photo, turned into the pixels of
// the decoded photo (EXIF orientation applied, as the browser shows it) and re-encoded.

/** A rectangle in fractions (0..1) of the photo's width and height. */
export interface CropRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

const clamp01 = (v: number) => Math.min(1, Math.max(0, v));

/** The rectangle spanned by two points (fractions), clamped to the photo. */
export function rectFromPoints(ax: number, ay: number, bx: number, by: number): CropRect {
  const x0 = clamp01(Math.min(ax, bx));
  const y0 = clamp01(Math.min(ay, by));
  const x1 = clamp01(Math.max(ax, bx));
  const y1 = clamp01(Math.max(ay, by));
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/** The selection in whole pixels of a photo of the given size (at least 1×1, inside the photo). */
export function toPixels(rect: CropRect, width: number, height: number): { sx: number; sy: number; sw: number; sh: number } {
  const sx = Math.min(width - 1, Math.max(0, Math.round(rect.x * width)));
  const sy = Math.min(height - 1, Math.max(0, Math.round(rect.y * height)));
  const sw = Math.max(1, Math.min(width - sx, Math.round(rect.width * width)));
  const sh = Math.max(1, Math.min(height - sy, Math.round(rect.height * height)));
  return { sx, sy, sw, sh };
}

/** A selection this small is treated as a click, not a crop. */
export const MIN_FRACTION = 0.02;

/** Crops a photo file; PNG stays PNG (lossless), everything else becomes a JPEG (quality 0.95). */
export async function cropFile(file: File, rect: CropRect): Promise<File> {
  const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  try {
    const { sx, sy, sw, sh } = toPixels(rect, bitmap.width, bitmap.height);
    const canvas = document.createElement('canvas');
    canvas.width = sw;
    canvas.height = sh;
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('canvas 2d context unavailable');
    ctx.drawImage(bitmap, sx, sy, sw, sh, 0, 0, sw, sh);
    const type = file.type === 'image/png' ? 'image/png' : 'image/jpeg';
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, type, 0.95));
    if (!blob) throw new Error('the cropped photo could not be encoded');
    const base = file.name.replace(/\.[^.]+$/, '');
    return new File([blob], `${base}-cropped.${type === 'image/png' ? 'png' : 'jpg'}`, { type });
  } finally {
    bitmap.close();
  }
}
