// Malformed and hostile uploads, generated (nothing binary is committed but the tiny synthetic
// HEIC fixtures of libs/test-support, as nothing here encodes HEVC). Each case says what
// the API must answer: a 4xx problem with a stable code and nothing stored, or, for input that
// is valid but unusual, 202 and the labels the pipeline computes for those bytes.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import zlib from 'node:zlib';
import { buildApng, heifFixture, withDeclaredSize, withFileTypeBrands } from '@vegvision/test-support';

export type Expectation =
  | { kind: 'reject'; status: number; code: string }
  | {
      kind: 'accept';
      /** Expected dimensions after EXIF orientation. */
      width?: number;
      height?: number;
      /** The original name the catalog must show (sanitised). */
      originalName?: string;
    };

export interface HostileCase {
  name: string;
  /** The request: a file upload (bytes + file name + declared type) or a raw body. */
  request:
    | { type: 'file'; bytes: Buffer; fileName?: string; contentType?: string; field?: string }
    | { type: 'raw'; body: Buffer; contentType: string; /** the file inside, for accepted cases */ fileBytes?: Buffer };
  expect: Expectation;
}

const reject = (status: number, code: string): Expectation => ({ kind: 'reject', status, code });

// --- small binary helpers -------------------------------------------------------------------

function crc32(buf: Buffer): number {
  let c = ~0;
  for (const byte of buf) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

const PNG_SIG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A genuine PNG, hand-built: width×height greyscale at the given bit depth, all zero. Compresses to almost nothing. */
function zeroPng(width: number, height: number, bitDepth: 1 | 8): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = bitDepth;
  ihdr[9] = 0; // greyscale
  const rowBytes = 1 + Math.ceil((width * bitDepth) / 8); // filter byte 0 + zero pixels
  const idat = zlib.deflateSync(Buffer.alloc(rowBytes * height), { level: 9 });
  return Buffer.concat([PNG_SIG, pngChunk('IHDR', ihdr), pngChunk('IDAT', idat), pngChunk('IEND', Buffer.alloc(0))]);
}

/** Rewrites the IHDR width and height of a PNG (fixing the CRC): a header that lies about its size. */
function patchPngSize(png: Buffer, width: number, height: number): Buffer {
  const out = Buffer.from(png);
  out.writeUInt32BE(width, 16);
  out.writeUInt32BE(height, 20);
  out.writeUInt32BE(crc32(out.subarray(12, 29)), 29);
  return out;
}

/** Rewrites the SOF0/SOF2 dimensions of a JPEG. */
function patchJpegSize(jpeg: Buffer, width: number, height: number): Buffer {
  const out = Buffer.from(jpeg);
  let i = 2;
  while (i < out.length - 9) {
    if (out[i] !== 0xff) {
      i++;
      continue;
    }
    const marker = out[i + 1];
    const len = out.readUInt16BE(i + 2);
    if (marker >= 0xc0 && marker <= 0xc3) {
      out.writeUInt16BE(height, i + 5);
      out.writeUInt16BE(width, i + 7);
      return out;
    }
    i += 2 + len;
  }
  throw new Error('no SOF marker');
}

/** Overwrites the bytes of the first JPEG SOS (entropy-coded data) with garbage markers. */
function corruptJpegHuffman(jpeg: Buffer): Buffer {
  const out = Buffer.from(jpeg);
  const sos = out.indexOf(Buffer.from([0xff, 0xda]));
  const start = sos + 2 + out.readUInt16BE(sos + 2);
  for (let i = start; i < start + 64 && i < out.length - 2; i += 2) {
    out[i] = 0xff;
    out[i + 1] = 0xd9; // EOI markers in the middle of the scan
  }
  return out;
}

function multipart(boundary: string, parts: { headers: string[]; body: Buffer }[], closing = true): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\n${p.headers.join('\r\n')}\r\n\r\n`, 'latin1'), p.body, Buffer.from('\r\n'));
  }
  if (closing) chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

// --- the corpus -----------------------------------------------------------------------------

export async function buildCorpus(seedJpegPath: string): Promise<HostileCase[]> {
  const photo = fs.readFileSync(seedJpegPath);
  const small = sharp(photo).resize(96, 64, { fit: 'fill' });
  const jpeg = await small.clone().jpeg({ quality: 85 }).toBuffer();
  const png = await small.clone().png().toBuffer();
  const webp = await small.clone().webp({ quality: 80 }).toBuffer();
  const gif = await small.clone().gif().toBuffer();
  const tiff = await small.clone().tiff().toBuffer();
  const animatedRaw = Buffer.concat([
    await small.clone().raw().toBuffer(),
    await small.clone().negate({ alpha: false }).raw().toBuffer(),
  ]);
  const animated = (fmt: 'gif' | 'webp') =>
    sharp(animatedRaw, { raw: { width: 96, height: 128, channels: 3, pageHeight: 64 } as sharp.CreateRaw })
      [fmt]({ loop: 0, delay: [100, 100] } as never)
      .toBuffer();
  const animatedGif = await animated('gif');
  const animatedWebp = await animated('webp');
  const cmyk = await small.clone().toColourspace('cmyk').jpeg().toBuffer();
  const png16 = await small.clone().toColourspace('rgb16').png().toBuffer();
  const greyAlpha = await small.clone().greyscale().ensureAlpha(0.5).png().toBuffer();
  const oriented = (orientation: number) => small.clone().jpeg().withMetadata({ orientation }).toBuffer();
  const exif6 = await oriented(6);
  const exif3 = await oriented(3);
  const exif8 = await oriented(8);
  const tinyPng = await sharp({ create: { width: 1, height: 1, channels: 3, background: '#ff8000' } }).png().toBuffer();
  const longThin = await sharp({ create: { width: 13_000, height: 1, channels: 3, background: '#00ff00' } }).png().toBuffer();
  const webpVp8x = await small.clone().ensureAlpha(0.5).webp().toBuffer();
  // Phone formats: AVIF from sharp, HEIC from the committed fixtures (64×48, one 48×64 by irot).
  const avif = await small.clone().avif({ quality: 70 }).toBuffer();
  const avifRotated = await small.clone().withMetadata({ orientation: 6 }).avif({ quality: 70 }).toBuffer();
  const heic = heifFixture('quadrants');
  const heicGarbage = Buffer.from(heic);
  for (let i = 28; i < heicGarbage.length; i++) heicGarbage[i] = (i * 131 + 7) % 251;
  const apng = buildApng([png, await small.clone().negate({ alpha: false }).png().toBuffer()]);

  const file = (bytes: Buffer, fileName = 'photo.jpg', contentType = 'image/jpeg') =>
    ({ type: 'file', bytes, fileName, contentType }) as const;
  const B = 'vvBoundary7MA4YWxkTrZu0gW';
  const raw = (body: Buffer, contentType = `multipart/form-data; boundary=${B}`) => ({ type: 'raw', body, contentType }) as const;
  const filePart = (bytes: Buffer, extraHeaders: string[] = [], name = 'file', filename = 'photo.jpg') => ({
    headers: [`Content-Disposition: form-data; name="${name}"; filename="${filename}"`, 'Content-Type: image/jpeg', ...extraHeaders],
    body: bytes,
  });

  // WebP with a VP8X canvas of 16384×16384 (the format's maximum): header bomb.
  const webpHuge = Buffer.from(webpVp8x);
  const vp8x = webpHuge.indexOf(Buffer.from('VP8X'));
  webpHuge.writeUIntLE(16383, vp8x + 12, 3);
  webpHuge.writeUIntLE(16383, vp8x + 15, 3);

  const cases: HostileCase[] = [
    // Empty and too short.
    { name: 'zero bytes', request: file(Buffer.alloc(0)), expect: reject(400, 'empty_file') },
    { name: 'one byte', request: file(Buffer.from([0xff])), expect: reject(415, 'unsupported_media_type') },
    { name: 'JPEG magic number only', request: file(Buffer.from([0xff, 0xd8, 0xff])), expect: reject(422, 'corrupt_image') },
    { name: 'PNG signature only', request: file(PNG_SIG, 'a.png'), expect: reject(422, 'corrupt_image') },
    // Truncated and corrupt.
    { name: 'JPEG truncated to half', request: file(jpeg.subarray(0, jpeg.length >> 1)), expect: reject(422, 'corrupt_image') },
    { name: 'JPEG truncated after the header', request: file(jpeg.subarray(0, 200)), expect: reject(422, 'corrupt_image') },
    // libjpeg recovers from damaged scan data with a warning (grey fill); sharp's failOn 'error'
    // accepts warnings, so this damaged file is valid-but-unusual: labelled from the recovered pixels.
    { name: 'JPEG with EOI markers inside the scan (recoverable)', request: file(corruptJpegHuffman(jpeg)), expect: { kind: 'accept', width: 96, height: 64 } },
    { name: 'PNG truncated to half', request: file(png.subarray(0, png.length >> 1), 'a.png'), expect: reject(422, 'corrupt_image') },
    {
      name: 'PNG with a corrupt IHDR CRC',
      request: file(Buffer.concat([png.subarray(0, 29), Buffer.from([0, 0, 0, 0]), png.subarray(33)]), 'a.png'),
      expect: reject(422, 'corrupt_image'),
    },
    {
      name: 'PNG whose IDAT is garbage',
      request: file(
        Buffer.concat([PNG_SIG, png.subarray(8, 33), pngChunk('IDAT', Buffer.alloc(512, 0x5a)), pngChunk('IEND', Buffer.alloc(0))]),
        'a.png',
      ),
      expect: reject(422, 'corrupt_image'),
    },
    { name: 'WebP truncated to half', request: file(webp.subarray(0, webp.length >> 1), 'a.webp'), expect: reject(422, 'corrupt_image') },
    {
      name: 'RIFF/WEBP header then garbage',
      request: file(Buffer.concat([Buffer.from('RIFF\x00\x10\x00\x00WEBPVP8 ', 'latin1'), Buffer.alloc(256, 0x41)]), 'a.webp'),
      expect: reject(422, 'corrupt_image'),
    },
    {
      name: 'JPEG magic then an HTML page',
      request: file(Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.from('<html><script>alert(1)</script></html>')])),
      expect: reject(422, 'corrupt_image'),
    },
    // Decompression bombs and huge dimensions.
    { name: 'PNG bomb: genuine 1-bit 8000×6000 (48 MP, a few KB)', request: file(zeroPng(8000, 6000, 1), 'bomb.png'), expect: reject(413, 'image_too_large') },
    { name: 'PNG header claiming 100000×100000', request: file(patchPngSize(png, 100_000, 100_000), 'a.png'), expect: reject(413, 'image_too_large') },
    // libspng refuses such a header itself (before our size check): corrupt rather than too large.
    { name: 'PNG header claiming 2^31-1 × 1', request: file(patchPngSize(png, 0x7fffffff, 1), 'a.png'), expect: reject(422, 'corrupt_image') },
    { name: 'PNG header claiming 0×0', request: file(patchPngSize(png, 0, 0), 'a.png'), expect: reject(422, 'corrupt_image') },
    { name: 'JPEG SOF claiming 65000×65000', request: file(patchJpegSize(jpeg, 65_000, 65_000)), expect: reject(413, 'image_too_large') },
    // libwebp checks the canvas against the bitstream's own size: an inconsistent header is corrupt.
    { name: 'WebP VP8X canvas 16383×16383 over a 96×64 bitstream', request: file(webpHuge, 'a.webp'), expect: reject(422, 'corrupt_image') },
    { name: 'genuine 13000×1 PNG (side over 12000)', request: file(longThin, 'thin.png'), expect: reject(413, 'image_too_large') },
    // Wrong types and wrong magic numbers.
    { name: 'HEIC truncated to 90%', request: file(heic.subarray(0, Math.floor(heic.length * 0.9)), 'IMG_0001.HEIC', 'image/heic'), expect: reject(422, 'corrupt_image') },
    { name: 'HEIC truncated inside its meta box', request: file(heic.subarray(0, 200), 'IMG_0001.HEIC', 'image/heic'), expect: reject(422, 'corrupt_image') },
    { name: 'HEIC ftyp then garbage', request: file(heicGarbage, 'IMG_0001.HEIC', 'image/heic'), expect: reject(422, 'corrupt_image') },
    { name: 'AVIF truncated to half', request: file(avif.subarray(0, avif.length >> 1), 'a.avif', 'image/avif'), expect: reject(422, 'corrupt_image') },
    { name: 'HEIC header claiming 20000×20000', request: file(withDeclaredSize(heic, 20_000, 20_000), 'IMG_0001.HEIC', 'image/heic'), expect: reject(413, 'image_too_large') },
    { name: 'HEIC image sequence (major brand hevc)', request: file(withFileTypeBrands(heic, 'hevc', ['msf1', 'hevc', 'miaf']), 'a.heics', 'image/heic-sequence'), expect: reject(415, 'unsupported_media_type') },
    { name: 'animated AVIF (major brand avis)', request: file(withFileTypeBrands(avif, 'avis', ['avif', 'msf1', 'miaf']), 'a.avif', 'image/avif'), expect: reject(415, 'unsupported_media_type') },
    { name: 'animated PNG (APNG, 2 frames)', request: file(apng, 'a.png', 'image/png'), expect: reject(415, 'unsupported_media_type') },
    { name: 'MP4 video (ftyp isom)', request: file(withFileTypeBrands(heic, 'isom', ['isom', 'mp41']), 'clip.mp4', 'video/mp4'), expect: reject(415, 'unsupported_media_type') },
    { name: 'static GIF', request: file(gif, 'a.gif', 'image/gif'), expect: reject(415, 'unsupported_media_type') },
    { name: 'animated GIF', request: file(animatedGif, 'a.gif', 'image/gif'), expect: reject(415, 'unsupported_media_type') },
    { name: 'animated WebP', request: file(animatedWebp, 'a.webp', 'image/webp'), expect: reject(415, 'unsupported_media_type') },
    { name: 'TIFF', request: file(tiff, 'a.tiff', 'image/tiff'), expect: reject(415, 'unsupported_media_type') },
    {
      name: 'SVG with a script, declared image/jpeg',
      request: file(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'), 'x.jpg'),
      expect: reject(415, 'unsupported_media_type'),
    },
    { name: 'HTML page named .png', request: file(Buffer.from('<!doctype html><script>fetch("/api/admin")</script>'), 'x.png', 'image/png'), expect: reject(415, 'unsupported_media_type') },
    { name: 'BMP', request: file(Buffer.concat([Buffer.from('BM'), Buffer.alloc(60)]), 'a.bmp'), expect: reject(415, 'unsupported_media_type') },
    { name: 'PDF', request: file(Buffer.from('%PDF-1.7\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n'), 'a.jpg'), expect: reject(415, 'unsupported_media_type') },
    { name: 'ZIP', request: file(Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(40)]), 'a.jpg'), expect: reject(415, 'unsupported_media_type') },
    { name: 'JPEG with its first byte changed', request: file(Buffer.concat([Buffer.from([0x00]), jpeg.subarray(1)])), expect: reject(415, 'unsupported_media_type') },
    { name: 'PNG with a wrong signature byte', request: file(Buffer.concat([png.subarray(0, 4), Buffer.from([0x00]), png.subarray(5)]), 'a.png'), expect: reject(415, 'unsupported_media_type') },
    { name: 'ELF executable named .jpg', request: file(Buffer.concat([Buffer.from('\x7fELF', 'latin1'), Buffer.alloc(60)])), expect: reject(415, 'unsupported_media_type') },
    // Multipart abuse.
    // busboy refuses control characters in a part header.
    { name: 'control characters in the file name', request: file(jpeg, 'boot\u0007\u001b[2J.jpg'), expect: reject(400, 'malformed_multipart') },
    { name: 'JSON body instead of multipart', request: raw(Buffer.from('{"file":"x"}'), 'application/json'), expect: reject(415, 'unsupported_content_type') },
    { name: 'multipart/mixed instead of form-data', request: raw(multipart(B, [filePart(jpeg)]), `multipart/mixed; boundary=${B}`), expect: reject(415, 'unsupported_content_type') },
    { name: 'file in the wrong field', request: { type: 'file', bytes: jpeg, fileName: 'a.jpg', field: 'image' }, expect: reject(400, 'unexpected_field') },
    { name: 'two files', request: raw(multipart(B, [filePart(jpeg), filePart(png)])), expect: reject(400, 'unexpected_field') },
    { name: 'multipart without a boundary', request: raw(multipart(B, [filePart(jpeg)]), 'multipart/form-data'), expect: reject(400, 'malformed_multipart') },
    { name: 'multipart cut before its end', request: raw(multipart(B, [filePart(jpeg)], false).subarray(0, 400)), expect: reject(400, 'malformed_multipart') },
    {
      name: 'multipart part header of 100 KB',
      request: raw(multipart(B, [filePart(jpeg, [`X-Junk: ${'a'.repeat(100_000)}`])])),
      expect: reject(400, 'malformed_multipart'),
    },
    // multer does not parse a multipart body whose boundary is empty: no file.
    { name: 'empty multipart boundary parameter', request: raw(multipart(B, [filePart(jpeg)]), 'multipart/form-data; boundary='), expect: reject(400, 'missing_file') },
    { name: 'one text field beside the file', request: raw(multipart(B, [{ headers: ['Content-Disposition: form-data; name="note"'], body: Buffer.from('x') }, filePart(jpeg)])), expect: reject(400, 'malformed_multipart') },
    { name: '20 text fields before the file', request: raw(multipart(B, [...Array.from({ length: 20 }, (_, i) => ({ headers: [`Content-Disposition: form-data; name="f${i}"`], body: Buffer.from('x') })), filePart(jpeg)])), expect: reject(400, 'malformed_multipart') },
    // Valid but unusual: accepted and labelled.
    { name: 'JPEG with a ZIP appended (polyglot)', request: file(Buffer.concat([jpeg, Buffer.from([0x50, 0x4b, 0x05, 0x06]), Buffer.alloc(18)])), expect: { kind: 'accept', width: 96, height: 64 } },
    {
      name: 'JPEG with an HTML page appended (polyglot)',
      request: file(Buffer.concat([jpeg, Buffer.from('<html><script>alert(document.cookie)</script></html>')])),
      expect: { kind: 'accept', width: 96, height: 64 },
    },
    { name: 'CMYK JPEG', request: file(cmyk, 'cmyk.jpg'), expect: { kind: 'accept', width: 96, height: 64 } },
    { name: '16-bit PNG', request: file(png16, 'deep.png', 'image/png'), expect: { kind: 'accept', width: 96, height: 64 } },
    { name: 'greyscale PNG with alpha', request: file(greyAlpha, 'grey.png', 'image/png'), expect: { kind: 'accept', width: 96, height: 64 } },
    { name: 'WebP with alpha (VP8X)', request: file(webpVp8x, 'alpha.webp', 'image/webp'), expect: { kind: 'accept', width: 96, height: 64 } },
    { name: 'EXIF orientation 6 (rotate 90°)', request: file(exif6), expect: { kind: 'accept', width: 64, height: 96 } },
    { name: 'EXIF orientation 3 (rotate 180°)', request: file(exif3), expect: { kind: 'accept', width: 96, height: 64 } },
    { name: 'EXIF orientation 8 (rotate 270°)', request: file(exif8), expect: { kind: 'accept', width: 64, height: 96 } },
    // busboy parses at most headerPairs (50) headers of a part and ignores the rest: harmless.
    {
      name: '60 part headers (the rest ignored)',
      request: {
        ...raw(multipart(B, [filePart(Buffer.concat([jpeg, Buffer.from([0])]), Array.from({ length: 60 }, (_, i) => `X-H${i}: v`))])),
        fileBytes: Buffer.concat([jpeg, Buffer.from([0])]),
      },
      expect: { kind: 'accept', width: 96, height: 64 },
    },
    // Part header injection: the injected lines are just more part headers, and the declared
    // Content-Type is never trusted (the bytes are sniffed), so this is a plain JPEG upload.
    {
      name: 'CRLF injected in the file name (part header injection)',
      request: { ...raw(multipart(B, [filePart(jpeg, [], 'file', 'a.jpg"\r\nContent-Type: text/html\r\nX-Injected: "')])), fileBytes: jpeg },
      expect: { kind: 'accept', width: 96, height: 64, originalName: 'a.jpg' },
    },
    { name: 'AVIF (phone photo format)', request: file(avif, 'photo.avif', 'image/avif'), expect: { kind: 'accept', width: 96, height: 64 } },
    { name: 'AVIF rotated by irot (orientation 6)', request: file(avifRotated, 'photo.avif', 'image/avif'), expect: { kind: 'accept', width: 64, height: 96 } },
    { name: 'HEIC (iPhone default)', request: file(heic, 'IMG_0001.HEIC', 'image/heic'), expect: { kind: 'accept', width: 64, height: 48 } },
    { name: 'HEIC rotated by irot (90°)', request: file(heifFixture('quadrants-irot90'), 'IMG_0002.HEIC', 'image/heic'), expect: { kind: 'accept', width: 48, height: 64 } },
    { name: 'HEIC in Display P3 with its ICC profile', request: file(heifFixture('quadrants-p3'), 'IMG_0003.HEIC', 'image/heic'), expect: { kind: 'accept', width: 64, height: 48 } },
    { name: 'HEIC without a file name extension, declared octet-stream', request: file(heifFixture('quadrants-alpha'), 'upload', 'application/octet-stream'), expect: { kind: 'accept', width: 64, height: 48 } },
    { name: '1×1 PNG', request: file(tinyPng, 'dot.png', 'image/png'), expect: { kind: 'accept', width: 1, height: 1 } },
    {
      name: 'path traversal in the file name',
      request: file(await small.clone().jpeg({ quality: 70 }).toBuffer(), '../../../../etc/cron.d/evil.jpg'),
      expect: { kind: 'accept', originalName: 'evil.jpg' },
    },
    {
      name: 'Windows path and leading dots in the file name',
      request: file(await small.clone().jpeg({ quality: 60 }).toBuffer(), '..\\..\\C:\\Windows\\..boot.ini.jpg'),
      expect: { kind: 'accept', originalName: 'boot.ini.jpg' },
    },
    // RFC 7578: a browser sends the file name as raw UTF-8 (busboy's default would read latin1).
    { name: 'UTF-8 file name', request: file(await small.clone().jpeg({ quality: 55 }).toBuffer(), 'морковь🥕.jpg'), expect: { kind: 'accept', originalName: 'морковь🥕.jpg' } },
    // busboy lets C1 controls (U+0080–U+009F) and format characters through: the sanitiser drops them.
    {
      name: 'C1 controls and a right-to-left override in the file name',
      request: file(await small.clone().jpeg({ quality: 50 }).toBuffer(), 'a\u0085\u009b[2J\u202egpj.exe\u200b.jpg'),
      expect: { kind: 'accept', originalName: 'a[2Jgpj.exe.jpg' },
    },
    { name: 'GIF declared image/jpeg is still sniffed', request: file(gif, 'a.jpg', 'image/jpeg'), expect: reject(415, 'unsupported_media_type') },
  ];
  return cases;
}

/** For the report: how many cases of each outcome. */
export function describeCorpus(cases: HostileCase[]): string {
  const counts = new Map<string, number>();
  for (const c of cases) {
    const key = c.expect.kind === 'reject' ? `${c.expect.status} ${c.expect.code}` : '202 accepted';
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => `${k}: ${n}`).join(', ');
}

export const SEED_DIR = path.join(process.env['VEGVISION_SHARED_DIR'] ?? path.resolve(__dirname, '../../../shared'), 'data/seed-sample');
