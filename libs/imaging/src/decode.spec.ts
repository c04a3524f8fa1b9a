import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import {
  decodeImage,
  DEFAULT_IMAGE_LIMITS,
  EmptyImageError,
  ImageDecodeError,
  ImageError,
  ImageTooLargeError,
  probeImage,
  sha256,
  sniffAnimation,
  sniffImageType,
  describeBytes,
  UnsupportedImageTypeError,
} from './index';
import { decodeHevcHeif } from './hevc-decoder';
import {
  buildApng,
  heifFixture,
  QUADRANT_COLOURS,
  withDeclaredSize,
  withFileTypeBrands,
} from '@vegvision/test-support';

jest.setTimeout(60_000);

type Rgb = [number, number, number];

/** A w×h image split into four solid quadrants: TL red, TR green, BL blue, BR white. */
function quadrants(w: number, h: number): sharp.Sharp {
  const data = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const left = x < w / 2;
      const top = y < h / 2;
      const c: Rgb = top ? (left ? [255, 0, 0] : [0, 255, 0]) : left ? [0, 0, 255] : [255, 255, 255];
      data.set(c, (y * w + x) * 3);
    }
  }
  return sharp(data, { raw: { width: w, height: h, channels: 3 } });
}

function solid(w: number, h: number, c: Rgb): sharp.Sharp {
  return sharp({ create: { width: w, height: h, channels: 3, background: { r: c[0], g: c[1], b: c[2] } } });
}

function pixelAt(img: { data: Buffer; width: number }, x: number, y: number): Rgb {
  const i = (y * img.width + x) * 3;
  return [img.data[i], img.data[i + 1], img.data[i + 2]];
}

function expectClose(actual: Rgb, expected: Rgb, tolerance = 12): void {
  for (let i = 0; i < 3; i++) {
    if (Math.abs(actual[i] - expected[i]) > tolerance) {
      throw new Error(`pixel ${JSON.stringify(actual)} is not within ${tolerance} of ${JSON.stringify(expected)}`);
    }
  }
}

async function expectImageError<E extends ImageError>(
  promise: Promise<unknown>,
  type: new (...args: never[]) => E,
  code: string,
): Promise<E> {
  let caught: unknown;
  try {
    await promise;
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(type);
  expect(caught).toBeInstanceOf(ImageError);
  const err = caught as E;
  expect(err.code).toBe(code);
  expect(err).not.toHaveProperty('status'); // HTTP statuses belong to libs/http-api
  expect(err.message.length).toBeGreaterThan(10);
  return err;
}

/** CRC-32 (IEEE) as used by PNG chunks. */
function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** A 1×1 PNG whose IHDR is patched to declare width×height (with a valid CRC). */
async function pngBomb(width: number, height: number): Promise<Buffer> {
  const png = Buffer.from(await solid(1, 1, [0, 0, 0]).png().toBuffer());
  // Signature (8) + IHDR length (4) + "IHDR" (4) → width at 16, height at 20, CRC at 29.
  expect(png.toString('latin1', 12, 16)).toBe('IHDR');
  png.writeUInt32BE(width, 16);
  png.writeUInt32BE(height, 20);
  png.writeUInt32BE(crc32(png.subarray(12, 29)), 29);
  return png;
}

describe('sniffImageType', () => {
  it('detects JPEG, PNG and WebP from magic numbers', async () => {
    const base = solid(8, 8, [10, 20, 30]);
    expect(sniffImageType(await base.clone().jpeg().toBuffer())).toBe('image/jpeg');
    expect(sniffImageType(await base.clone().png().toBuffer())).toBe('image/png');
    expect(sniffImageType(await base.clone().webp().toBuffer())).toBe('image/webp');
  });

  it('rejects other content and short prefixes', async () => {
    expect(sniffImageType(Buffer.alloc(0))).toBeNull();
    expect(sniffImageType(Buffer.from([0xff, 0xd8]))).toBeNull();
    expect(sniffImageType(Buffer.from('RIFF\0\0\0\0WAVE'))).toBeNull();
    expect(sniffImageType(Buffer.from('GIF89a'))).toBeNull();
    expect(sniffImageType(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeNull();
    expect(sniffImageType(await solid(4, 4, [1, 2, 3]).gif().toBuffer())).toBeNull();
  });

  it('uses only the bytes: a PNG saved as .jpg is still PNG', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vegvision-imaging-'));
    try {
      const file = join(dir, 'photo.jpg');
      await writeFile(file, await solid(5, 3, [200, 100, 50]).png().toBuffer());
      const bytes = await readFile(file);
      expect(sniffImageType(bytes)).toBe('image/png');
      const decoded = await decodeImage(bytes);
      expect(decoded.contentType).toBe('image/png');
      expect([decoded.width, decoded.height]).toEqual([5, 3]);
      expect(pixelAt(decoded, 4, 2)).toEqual([200, 100, 50]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('decodeImage: accepted types', () => {
  it.each([
    ['image/jpeg', (s: sharp.Sharp) => s.jpeg({ quality: 95 })],
    ['image/png', (s: sharp.Sharp) => s.png()],
    ['image/webp', (s: sharp.Sharp) => s.webp({ quality: 95 })],
    ['image/webp', (s: sharp.Sharp) => s.webp({ lossless: true })],
  ])('decodes %s to 8-bit RGB with its size kept', async (type, encode) => {
    const bytes = await encode(quadrants(64, 32)).toBuffer();
    const img = await decodeImage(bytes);
    expect(img.contentType).toBe(type);
    expect(img.width).toBe(64);
    expect(img.height).toBe(32);
    expect(img.channels).toBe(3);
    expect(img.data.length).toBe(64 * 32 * 3);
    expect(img.orientation).toBe(1);
    expect([img.originalWidth, img.originalHeight]).toEqual([64, 32]);
    expectClose(pixelAt(img, 8, 8), [255, 0, 0]);
    expectClose(pixelAt(img, 56, 8), [0, 255, 0]);
    expectClose(pixelAt(img, 8, 24), [0, 0, 255]);
    expectClose(pixelAt(img, 56, 24), [255, 255, 255]);
  });

  it('decodes lossless PNG pixels exactly and keeps non-square sizes', async () => {
    const raw = Buffer.alloc(7 * 3 * 3);
    for (let i = 0; i < raw.length; i++) raw[i] = (i * 37) % 256;
    const png = await sharp(raw, { raw: { width: 7, height: 3, channels: 3 } }).png().toBuffer();
    const img = await decodeImage(png);
    expect([img.width, img.height]).toEqual([7, 3]);
    expect(Buffer.compare(img.data, raw)).toBe(0);
  });

  it('converts greyscale to three channels', async () => {
    const grey = await solid(6, 4, [90, 90, 90]).toColourspace('b-w').png().toBuffer();
    expect((await sharp(grey).metadata()).channels).toBe(1);
    const img = await decodeImage(grey);
    expect(img.data.length).toBe(6 * 4 * 3);
    expect(pixelAt(img, 5, 3)).toEqual([90, 90, 90]);
  });

  it('composites transparent pixels over white', async () => {
    // Row: opaque red, fully transparent red, fully transparent black, half-transparent black.
    const rgba = Buffer.from([255, 0, 0, 255, 255, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 128]);
    const png = await sharp(rgba, { raw: { width: 4, height: 1, channels: 4 } }).png().toBuffer();
    const webp = await sharp(rgba, { raw: { width: 4, height: 1, channels: 4 } }).webp({ lossless: true }).toBuffer();
    for (const bytes of [png, webp]) {
      expect((await probeImage(bytes)).hasAlpha).toBe(true);
      const img = await decodeImage(bytes);
      expect(img.data.length).toBe(4 * 3);
      expect(pixelAt(img, 0, 0)).toEqual([255, 0, 0]);
      expect(pixelAt(img, 1, 0)).toEqual([255, 255, 255]);
      expect(pixelAt(img, 2, 0)).toEqual([255, 255, 255]);
      expectClose(pixelAt(img, 3, 0), [127, 127, 127], 2);
    }
  });

  it('converts a CMYK JPEG to 8-bit sRGB', async () => {
    const cmyk = await solid(16, 16, [220, 30, 30]).toColourspace('cmyk').jpeg({ quality: 95 }).toBuffer();
    const meta = await sharp(cmyk).metadata();
    expect(meta.space).toBe('cmyk');
    expect(meta.channels).toBe(4);
    const img = await decodeImage(cmyk);
    expect(img.contentType).toBe('image/jpeg');
    expect(img.data.length).toBe(16 * 16 * 3);
    expectClose(pixelAt(img, 8, 8), [220, 30, 30], 30);
  });

  it('converts a 16-bit PNG to 8-bit sRGB', async () => {
    const png16 = await solid(10, 6, [200, 100, 50]).toColourspace('rgb16').png().toBuffer();
    const meta = await sharp(png16).metadata();
    expect(meta.depth).toBe('ushort');
    const img = await decodeImage(png16);
    expect(img.data.length).toBe(10 * 6 * 3);
    expectClose(pixelAt(img, 9, 5), [200, 100, 50], 1);
  });
});

describe('decodeImage: colour management', () => {
  it('converts an embedded non-sRGB ICC profile (Display P3) to sRGB', async () => {
    const p3 = await solid(4, 4, [200, 60, 40]).withIccProfile('p3').png().toBuffer();
    const stored = await sharp(p3, { ignoreIcc: true }).raw().toBuffer();
    expect([...stored.subarray(0, 3)]).not.toEqual([200, 60, 40]);
    const img = await decodeImage(p3);
    expectClose(pixelAt(img, 0, 0), [200, 60, 40], 2);
  });
});

describe('decodeImage: EXIF orientation', () => {
  // Stored image 64×32: TL red, TR green, BL blue, BR white.
  const red: Rgb = [255, 0, 0];
  const green: Rgb = [0, 255, 0];
  const blue: Rgb = [0, 0, 255];
  const white: Rgb = [255, 255, 255];

  it.each([
    // orientation, displayed size, displayed [TL, TR, BL, BR]
    [1, [64, 32], [red, green, blue, white]],
    [3, [64, 32], [white, blue, green, red]],
    [6, [32, 64], [blue, red, white, green]],
    [8, [32, 64], [green, white, red, blue]],
  ] as const)('orientation %i gives the displayed size and pixel placement', async (orientation, size, corners) => {
    for (const encode of [(s: sharp.Sharp) => s.jpeg({ quality: 95 }), (s: sharp.Sharp) => s.webp({ quality: 95 })]) {
      const bytes = await encode(quadrants(64, 32).withMetadata({ orientation })).toBuffer();
      const probe = await probeImage(bytes);
      expect(probe.orientation).toBe(orientation);
      expect([probe.width, probe.height]).toEqual(size);
      expect([probe.originalWidth, probe.originalHeight]).toEqual([64, 32]);

      const img = await decodeImage(bytes);
      expect([img.width, img.height]).toEqual(size);
      expect(img.orientation).toBe(orientation);
      const [w, h] = size;
      const q = 8;
      expectClose(pixelAt(img, q, q), [...corners[0]]);
      expectClose(pixelAt(img, w - 1 - q, q), [...corners[1]]);
      expectClose(pixelAt(img, q, h - 1 - q), [...corners[2]]);
      expectClose(pixelAt(img, w - 1 - q, h - 1 - q), [...corners[3]]);
    }
  });
});

describe('decodeImage / probeImage: rejected input', () => {
  it('rejects zero bytes as empty', async () => {
    await expectImageError(decodeImage(Buffer.alloc(0)), EmptyImageError, 'empty_file');
    await expectImageError(probeImage(new Uint8Array(0)), EmptyImageError, 'empty_file');
  });

  it.each([
    ['GIF', async () => solid(4, 4, [1, 2, 3]).gif().toBuffer(), /GIF/],
    ['SVG', async () => Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>'), /SVG/],
    [
      'SVG with XML declaration',
      async () => Buffer.from('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>'),
      /SVG/,
    ],
    ['text', async () => Buffer.from('hello, this is not an image\n'), /text/],
    ['BMP', async () => bmp(2, 2), /BMP/],
    ['TIFF', async () => solid(4, 4, [1, 2, 3]).tiff().toBuffer(), /TIFF/],
    ['random binary', async () => Buffer.from([0x00, 0x9f, 0xfe, 0x01, 0x00, 0x80, 0x13]), /binary/],
  ])('rejects %s as an unsupported media type', async (_label, make, detected) => {
    const bytes = await make();
    for (const call of [decodeImage, probeImage]) {
      const err = await expectImageError(call(bytes), UnsupportedImageTypeError, 'unsupported_media_type');
      expect(err.detected).toMatch(detected);
      expect(err.message).toMatch(detected);
      expect(err.message).toMatch(/JPEG, PNG, WebP/);
    }
  });

  it('rejects an animated WebP', async () => {
    const frames = Buffer.concat([Buffer.alloc(8 * 8 * 3, 0), Buffer.alloc(8 * 8 * 3, 255)]);
    const animated = await sharp(frames, { raw: { width: 8, height: 16, channels: 3, pageHeight: 8 } })
      .webp({ loop: 0, delay: [100, 100] })
      .toBuffer();
    expect((await sharp(animated).metadata()).pages).toBe(2);
    const err = await expectImageError(decodeImage(animated), UnsupportedImageTypeError, 'unsupported_media_type');
    expect(err.message).toMatch(/[Aa]nimated/);
  });

  describe.each([
    ['JPEG', async () => quadrants(256, 128).jpeg({ quality: 90 }).toBuffer()],
    ['PNG', async () => noise(128, 64).png().toBuffer()],
    ['WebP', async () => noise(128, 64).webp({ quality: 90 }).toBuffer()],
  ])('truncated and corrupt %s', (label, make) => {
    it('rejects a truncated file', async () => {
      const full = await make();
      await expect(decodeImage(full)).resolves.toBeDefined();
      for (const keep of [0.5, 0.9]) {
        const truncated = full.subarray(0, Math.floor(full.length * keep));
        const err = await expectImageError(decodeImage(truncated), ImageDecodeError, 'corrupt_image');
        expect(err.message).toContain(label);
      }
    });

    it('rejects a file that is only the magic number', async () => {
      const full = await make();
      const head = full.subarray(0, label === 'WebP' ? 12 : label === 'PNG' ? 8 : 3);
      await expectImageError(decodeImage(head), ImageDecodeError, 'corrupt_image');
      await expectImageError(probeImage(head), ImageDecodeError, 'corrupt_image');
    });

    it('rejects corrupt data after the signature', async () => {
      const full = Buffer.from(await make());
      // Keep the signature (and for JPEG/PNG the first header bytes), overwrite the rest with garbage.
      // (Lossy VP8 payloads carry no checksum, so for WebP the chunk headers themselves are damaged.)
      const keep = label === 'WebP' ? 12 : 40;
      for (let i = keep; i < full.length; i++) full[i] = (i * 131 + 7) % 251;
      await expectImageError(decodeImage(full), ImageDecodeError, 'corrupt_image');
    });
  });

  it('rejects a decompression bomb from its header, before decoding', async () => {
    const bomb = await pngBomb(20_000, 20_000);
    expect(bomb.length).toBeLessThan(200);
    for (const call of [decodeImage, probeImage]) {
      const err = await expectImageError(call(bomb), ImageTooLargeError, 'image_too_large');
      expect(err.reason).toBe('side');
      expect(err.message).toMatch(/20000×20000/);
    }
    // Within the side limit but over the pixel limit.
    const wide = await pngBomb(10_000, 9_000);
    const err = await expectImageError(decodeImage(wide), ImageTooLargeError, 'image_too_large');
    expect(err.reason).toBe('pixels');
    expect(err.actual).toBe(90_000_000);
    expect(err.limit).toBe(DEFAULT_IMAGE_LIMITS.maxPixels);
  });

  it('applies configurable limits', async () => {
    const bytes = await quadrants(64, 32).png().toBuffer();
    const tooManyBytes = await expectImageError(
      decodeImage(bytes, { maxBytes: 100 }),
      ImageTooLargeError,
      'image_too_large',
    );
    expect(tooManyBytes.reason).toBe('bytes');
    expect(tooManyBytes.actual).toBe(bytes.length);
    const tooWide = await expectImageError(probeImage(bytes, { maxSide: 63 }), ImageTooLargeError, 'image_too_large');
    expect(tooWide.reason).toBe('side');
    const tooManyPixels = await expectImageError(
      decodeImage(bytes, { maxPixels: 2047 }),
      ImageTooLargeError,
      'image_too_large',
    );
    expect(tooManyPixels.reason).toBe('pixels');
    await expect(decodeImage(bytes, { maxPixels: 2048, maxSide: 64, maxBytes: bytes.length })).resolves.toMatchObject({
      width: 64,
      height: 32,
    });
    await expect(decodeImage(bytes, { maxPixels: 0 })).rejects.toThrow(RangeError);
  });

  it('accepts a Uint8Array view that is not a Buffer', async () => {
    const png = await solid(3, 2, [1, 2, 3]).png().toBuffer();
    const padded = new Uint8Array(png.length + 10);
    padded.set(png, 5);
    const view = padded.subarray(5, 5 + png.length);
    const img = await decodeImage(view);
    expect(pixelAt(img, 2, 1)).toEqual([1, 2, 3]);
  });
});

describe('phone formats: AVIF (libvips) and HEIC (libheif-js)', () => {
  const q = QUADRANT_COLOURS;

  it('sniffs AVIF and HEIC from the ftyp brands, and nothing else that is ISO media', async () => {
    expect(sniffImageType(await quadrants(16, 16).avif().toBuffer())).toBe('image/avif');
    const heic = heifFixture('quadrants');
    expect(sniffImageType(heic)).toBe('image/heic');
    expect(sniffImageType(withFileTypeBrands(heic, 'mif1', ['mif1', 'miaf']))).toBe('image/heif');
    const mp4 = withFileTypeBrands(heic, 'isom', ['isom', 'mp41']);
    expect(sniffImageType(mp4)).toBeNull();
    expect(describeBytes(mp4)).toMatch(/ISO media/);
    await expectImageError(decodeImage(mp4), UnsupportedImageTypeError, 'unsupported_media_type');
  });

  it('decodes an AVIF made by sharp to 8-bit sRGB', async () => {
    const avif = await quadrants(64, 32).avif({ quality: 90 }).toBuffer();
    const img = await decodeImage(avif);
    expect(img).toMatchObject({ contentType: 'image/avif', width: 64, height: 32, channels: 3, orientation: 1 });
    expectClose(pixelAt(img, 8, 8), [255, 0, 0]);
    expectClose(pixelAt(img, 56, 8), [0, 255, 0]);
    expectClose(pixelAt(img, 8, 24), [0, 0, 255]);
    expectClose(pixelAt(img, 56, 24), [255, 255, 255]);
  });

  it('applies an AVIF rotation (irot) once, like EXIF orientation 6 in a JPEG', async () => {
    // libvips stores orientation 6 as an irot box; libheif applies it when reading.
    const avif = await quadrants(64, 32).withMetadata({ orientation: 6 }).avif({ quality: 90 }).toBuffer();
    const probe = await probeImage(avif);
    expect([probe.width, probe.height, probe.orientation]).toEqual([32, 64, 1]);
    const img = await decodeImage(avif);
    expect([img.width, img.height]).toEqual([32, 64]);
    expectClose(pixelAt(img, 8, 8), [0, 0, 255]);
    expectClose(pixelAt(img, 24, 8), [255, 0, 0]);
    expectClose(pixelAt(img, 8, 56), [255, 255, 255]);
    expectClose(pixelAt(img, 24, 56), [0, 255, 0]);
  });

  it('composites a transparent AVIF over white', async () => {
    const rgba = Buffer.alloc(16 * 16 * 4);
    for (let i = 0; i < 16 * 16; i++) rgba.set(i % 16 < 8 ? [200, 40, 40, 255] : [0, 0, 0, 0], i * 4);
    const avif = await sharp(rgba, { raw: { width: 16, height: 16, channels: 4 } }).avif({ lossless: true }).toBuffer();
    const img = await decodeImage(avif);
    expectClose(pixelAt(img, 2, 8), [200, 40, 40], 4);
    expectClose(pixelAt(img, 13, 8), [255, 255, 255], 4);
  });

  it('decodes a HEIC (HEVC) image, which libvips alone cannot', async () => {
    const heic = heifFixture('quadrants');
    await expect(sharp(heic).raw().toBuffer()).rejects.toThrow(/compression format|plugin/);
    const probe = await probeImage(heic);
    expect(probe).toMatchObject({ contentType: 'image/heic', width: 64, height: 48, orientation: 1, hasAlpha: false });
    const img = await decodeImage(heic);
    expect(img).toMatchObject({ contentType: 'image/heic', width: 64, height: 48, channels: 3 });
    expect(img.data.length).toBe(64 * 48 * 3);
    expectClose(pixelAt(img, 4, 4), [...q.topLeft], 4);
    expectClose(pixelAt(img, 59, 4), [...q.topRight], 4);
    expectClose(pixelAt(img, 4, 43), [...q.bottomLeft], 4);
    expectClose(pixelAt(img, 59, 43), [...q.bottomRight], 4);
  });

  it('applies a HEIC rotation (irot 90° anticlockwise) once, in probe and decode', async () => {
    const heic = heifFixture('quadrants-irot90');
    const probe = await probeImage(heic);
    expect([probe.width, probe.height, probe.orientation]).toEqual([48, 64, 1]);
    const img = await decodeImage(heic);
    expect([img.width, img.height]).toEqual([48, 64]);
    expectClose(pixelAt(img, 4, 4), [...q.topRight], 4);
    expectClose(pixelAt(img, 43, 4), [...q.bottomRight], 4);
    expectClose(pixelAt(img, 4, 59), [...q.topLeft], 4);
    expectClose(pixelAt(img, 43, 59), [...q.bottomLeft], 4);
  });

  it('composites a HEIC alpha plane over white', async () => {
    const heic = heifFixture('quadrants-alpha');
    expect((await probeImage(heic)).hasAlpha).toBe(true);
    const img = await decodeImage(heic);
    expectClose(pixelAt(img, 4, 4), [...q.topLeft], 4);
    expectClose(pixelAt(img, 59, 4), [255, 255, 255], 4);
    expectClose(pixelAt(img, 59, 43), [255, 255, 255], 4);
  });

  it('converts a HEIC with a Display P3 ICC profile to sRGB', async () => {
    const heic = heifFixture('quadrants-p3');
    // The stored pixels are P3 values, far from the sRGB ones...
    const stored = await decodeHevcHeif(heic);
    const i = (4 * 64 + 4) * 3;
    expect(Math.abs(stored.data[i + 1] - q.topLeft[1])).toBeGreaterThan(10);
    // ...and the decoded ones are sRGB again.
    const img = await decodeImage(heic);
    expectClose(pixelAt(img, 4, 4), [...q.topLeft], 4);
    expectClose(pixelAt(img, 59, 43), [...q.bottomRight], 4);
  });

  it('rejects truncated and damaged HEIC files as corrupt', async () => {
    const heic = heifFixture('quadrants');
    for (const keep of [0.5, 0.9, 0.98]) {
      const err = await expectImageError(decodeImage(heic.subarray(0, Math.floor(heic.length * keep))), ImageDecodeError, 'corrupt_image');
      expect(err.message).toContain('HEIC');
    }
    // The ftyp box and then garbage: the header itself is unreadable.
    const garbage = Buffer.from(heic);
    for (let i = 28; i < garbage.length; i++) garbage[i] = (i * 131 + 7) % 251;
    await expectImageError(probeImage(garbage), ImageDecodeError, 'corrupt_image');
    await expectImageError(decodeImage(garbage), ImageDecodeError, 'corrupt_image');
  });

  it('rejects truncated AVIF as corrupt', async () => {
    const avif = await noise(64, 48).avif({ quality: 80 }).toBuffer();
    await expectImageError(decodeImage(avif.subarray(0, avif.length - 40)), ImageDecodeError, 'corrupt_image');
  });

  it('checks HEIC and AVIF sizes from the header, before any pixel is decoded', async () => {
    const bomb = withDeclaredSize(heifFixture('quadrants'), 20_000, 20_000);
    for (const call of [decodeImage, probeImage]) {
      const err = await expectImageError(call(bomb), ImageTooLargeError, 'image_too_large');
      expect(err.reason).toBe('side');
      expect(err.message).toMatch(/20000×20000/);
    }
    const pixels = await expectImageError(decodeImage(heifFixture('quadrants'), { maxPixels: 3000 }), ImageTooLargeError, 'image_too_large');
    expect(pixels.reason).toBe('pixels');
    const avif = await quadrants(64, 32).avif().toBuffer();
    const side = await expectImageError(decodeImage(avif, { maxSide: 63 }), ImageTooLargeError, 'image_too_large');
    expect(side.reason).toBe('side');
    const bytes = await expectImageError(decodeImage(heifFixture('quadrants'), { maxBytes: 500 }), ImageTooLargeError, 'image_too_large');
    expect(bytes.reason).toBe('bytes');
  });

  it.each([
    ['an AVIF sequence (avis)', async () => withFileTypeBrands(await quadrants(16, 16).avif().toBuffer(), 'avis', ['avif', 'msf1', 'miaf'])],
    ['a HEIC sequence (hevc)', async () => withFileTypeBrands(heifFixture('quadrants'), 'hevc', ['msf1', 'hevc', 'miaf'])],
    ['a HEIF sequence (msf1)', async () => withFileTypeBrands(heifFixture('quadrants'), 'msf1', ['msf1', 'hevc', 'miaf'])],
  ])('refuses %s like other animations', async (_label, make) => {
    const bytes = await make();
    for (const call of [decodeImage, probeImage]) {
      const err = await expectImageError(call(bytes), UnsupportedImageTypeError, 'unsupported_media_type');
      expect(err.message).toMatch(/Animated images are not supported.*image sequence/);
    }
  });
});

describe('APNG', () => {
  const frame = (c: Rgb) => solid(8, 8, c).png().toBuffer();

  it('refuses an animated PNG (acTL before IDAT), which libvips would read as its first frame', async () => {
    const apng = buildApng([await frame([200, 0, 0]), await frame([0, 0, 200])]);
    expect(sniffImageType(apng)).toBe('image/png');
    expect((await sharp(apng).metadata()).pages ?? 1).toBe(1);
    await expect(sharp(apng).raw().toBuffer()).resolves.toBeDefined();
    for (const call of [decodeImage, probeImage]) {
      const err = await expectImageError(call(apng), UnsupportedImageTypeError, 'unsupported_media_type');
      expect(err.detected).toMatch(/APNG, 2 frames/);
      expect(err.message).toMatch(/Animated images are not supported/);
    }
  });

  it('accepts a one-frame APNG whose only frame is the default image (a still picture)', async () => {
    const still = buildApng([await frame([10, 120, 30])]);
    expect(sniffAnimation(still, 'image/png')).toBeNull();
    const img = await decodeImage(still);
    expect(pixelAt(img, 3, 3)).toEqual([10, 120, 30]);
  });
});

describe('sha256', () => {
  it('hashes bytes to lower-case hex', () => {
    expect(sha256(Buffer.from('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256(new Uint8Array(0))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });
});

function noise(w: number, h: number): sharp.Sharp {
  const data = Buffer.alloc(w * h * 3);
  let s = 12345;
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    data[i] = s >>> 24;
  }
  return sharp(data, { raw: { width: w, height: h, channels: 3 } });
}

/** A minimal 24-bit BMP. */
function bmp(w: number, h: number): Buffer {
  const rowSize = Math.ceil((w * 3) / 4) * 4;
  const size = 54 + rowSize * h;
  const b = Buffer.alloc(size);
  b.write('BM', 0, 'latin1');
  b.writeUInt32LE(size, 2);
  b.writeUInt32LE(54, 10);
  b.writeUInt32LE(40, 14);
  b.writeInt32LE(w, 18);
  b.writeInt32LE(h, 22);
  b.writeUInt16LE(1, 26);
  b.writeUInt16LE(24, 28);
  b.writeUInt32LE(rowSize * h, 34);
  return b;
}
