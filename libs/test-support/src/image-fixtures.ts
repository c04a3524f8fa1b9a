// Image inputs for tests that sharp cannot write: the committed synthetic HEIC files (see
// fixtures/heif/README.md), HEIF files re-branded or re-sized in their headers, and APNGs.
import fs from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';

export const HEIF_FIXTURES_DIR = path.resolve(__dirname, '../fixtures/heif');

/** The four colours of the quadrant fixtures (sRGB), as drawn before encoding. */
export const QUADRANT_COLOURS = {
  topLeft: [220, 40, 40],
  topRight: [40, 180, 60],
  bottomLeft: [40, 70, 220],
  bottomRight: [240, 220, 60],
} as const;

export type HeifFixture = 'quadrants' | 'quadrants-irot90' | 'quadrants-alpha' | 'quadrants-p3';

/** A committed HEIC fixture: 64×48 (quadrants-irot90: 48×64 once its rotation is applied). */
export function heifFixture(name: HeifFixture): Buffer {
  return fs.readFileSync(path.join(HEIF_FIXTURES_DIR, `${name}.heic`));
}

interface Box {
  type: string;
  off: number;
  size: number;
}

function childBoxes(buf: Buffer, start: number, end: number): Box[] {
  const list: Box[] = [];
  for (let off = start; off + 8 <= end; ) {
    const size = buf.readUInt32BE(off);
    if (size < 8 || off + size > end) throw new Error(`bad box size ${size} at ${off}`);
    list.push({ type: buf.toString('latin1', off + 4, off + 8), off, size });
    off += size;
  }
  return list;
}

function find(boxes: Box[], type: string): Box {
  const box = boxes.find((b) => b.type === type);
  if (!box) throw new Error(`no ${type} box`);
  return box;
}

/**
 * The HEIF/AVIF file with its ftyp brands replaced in place: `major`, then as many compatible
 * brands from `compatible` as the box has room for (the rest of the file is untouched).
 */
export function withFileTypeBrands(heif: Uint8Array, major: string, compatible: readonly string[]): Buffer {
  const buf = Buffer.from(heif);
  const ftyp = find(childBoxes(buf, 0, buf.length), 'ftyp');
  buf.write(major, ftyp.off + 8, 'latin1');
  const slots = (ftyp.size - 16) / 4;
  for (let i = 0; i < slots; i++) buf.write(compatible[i % compatible.length], ftyp.off + 16 + 4 * i, 'latin1');
  return buf;
}

/** The HEIF/AVIF file with every `ispe` (image spatial extents) property declaring width×height. */
export function withDeclaredSize(heif: Uint8Array, width: number, height: number): Buffer {
  const buf = Buffer.from(heif);
  const meta = find(childBoxes(buf, 0, buf.length), 'meta');
  const iprp = find(childBoxes(buf, meta.off + 12, meta.off + meta.size), 'iprp');
  const ipco = find(childBoxes(buf, iprp.off + 8, iprp.off + iprp.size), 'ipco');
  const ispes = childBoxes(buf, ipco.off + 8, ipco.off + ipco.size).filter((b) => b.type === 'ispe');
  if (ispes.length === 0) throw new Error('no ispe property');
  for (const ispe of ispes) {
    buf.writeUInt32BE(width, ispe.off + 12);
    buf.writeUInt32BE(height, ispe.off + 16);
  }
  return buf;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

function pngChunks(png: Buffer): { type: string; data: Buffer }[] {
  const list: { type: string; data: Buffer }[] = [];
  for (let off = 8; off + 12 <= png.length; ) {
    const length = png.readUInt32BE(off);
    list.push({ type: png.toString('latin1', off + 4, off + 8), data: png.subarray(off + 8, off + 8 + length) });
    off += 12 + length;
  }
  return list;
}

/**
 * A real APNG from PNG frames of one size and pixel format (e.g. sharp's PNGs of same-sized raw
 * images): acTL and fcTL before the first IDAT (frame 1 is the default image), then fcTL +
 * fdAT per further frame, as the APNG specification lays out.
 */
export function buildApng(frames: readonly Buffer[], delayMs = 100): Buffer {
  if (frames.length === 0) throw new Error('no frames');
  const first = pngChunks(frames[0]);
  const header = first.find((c) => c.type === 'IHDR')?.data;
  if (!header) throw new Error('no IHDR');
  const width = header.readUInt32BE(0);
  const height = header.readUInt32BE(4);
  let sequence = 0;
  const fcTL = () => {
    const d = Buffer.alloc(26);
    d.writeUInt32BE(sequence++, 0);
    d.writeUInt32BE(width, 4);
    d.writeUInt32BE(height, 8);
    d.writeUInt16BE(delayMs, 20);
    d.writeUInt16BE(1000, 22);
    return pngChunk('fcTL', d);
  };
  const acTL = Buffer.alloc(8);
  acTL.writeUInt32BE(frames.length, 0);
  const parts = [frames[0].subarray(0, 8), pngChunk('IHDR', header), pngChunk('acTL', acTL), fcTL()];
  for (const c of first) if (c.type === 'IDAT') parts.push(pngChunk('IDAT', c.data));
  for (const frame of frames.slice(1)) {
    const chunks = pngChunks(frame);
    if (!chunks[0].data.equals(header)) throw new Error('APNG frames must share one IHDR');
    parts.push(fcTL());
    for (const c of chunks) {
      if (c.type !== 'IDAT') continue;
      const seq = Buffer.alloc(4);
      seq.writeUInt32BE(sequence++, 0);
      parts.push(pngChunk('fdAT', Buffer.concat([seq, c.data])));
    }
  }
  parts.push(pngChunk('IEND', Buffer.alloc(0)));
  return Buffer.concat(parts);
}
