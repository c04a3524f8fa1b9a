// Attaches an ICC profile to a PNG (an iCCP chunk right after IHDR), so that pixels decoded
// outside libvips (HEIC through libheif-js) reach sharp's colour management tagged with the
// profile they were encoded in, exactly as an embedded profile in a JPEG does.
import { crc32, deflateSync } from 'node:zlib';

const SIGNATURE_AND_IHDR = 8 + 4 + 4 + 13 + 4;

function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** The PNG with `icc` embedded. The PNG must carry no colour chunk of its own (as sharp writes raw input). */
export function pngWithIccProfile(png: Buffer, icc: Uint8Array): Buffer {
  if (png.toString('latin1', 12, 16) !== 'IHDR') throw new Error('not a PNG starting with IHDR');
  // Profile name, NUL, compression method 0 (zlib), the compressed profile.
  const data = Buffer.concat([Buffer.from('ICC profile\0\0', 'latin1'), deflateSync(icc)]);
  return Buffer.concat([png.subarray(0, SIGNATURE_AND_IHDR), chunk('iCCP', data), png.subarray(SIGNATURE_AND_IHDR)]);
}
