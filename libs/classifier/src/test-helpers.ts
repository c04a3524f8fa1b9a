// Helpers for this library's own specs (not exported from index.ts).
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import type { DecodedRgbImage } from './preprocess';

export const FIXTURES_DIR = path.resolve(__dirname, '..', 'fixtures');
export const TINY_MODEL_DIR = path.join(FIXTURES_DIR, 'tiny-model');
/** The tiny model plus a constant "not a vegetable" output (`other` = 3.0); rejection other_class at 0.5. */
export const TINY_OTHER_MODEL_DIR = path.join(FIXTURES_DIR, 'tiny-other-model');
export const BROKEN_DIR = path.join(FIXTURES_DIR, 'broken');

export type Rgb = readonly [number, number, number];

export const RED: Rgb = [255, 0, 0];
export const GREEN: Rgb = [0, 255, 0];
export const BLUE: Rgb = [0, 0, 255];
export const GREY: Rgb = [128, 128, 128];

/** A solid-colour image as decoded pixels. */
export function solidDecoded(rgb: Rgb, width = 40, height = 30): DecodedRgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) data.set(rgb, i * 3);
  return { data, width, height, channels: 3 };
}

/** A solid-colour image encoded as PNG. */
export async function solidPng(rgb: Rgb, width = 50, height = 40): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } })
    .png()
    .toBuffer();
}

/** The tiny fixture's weights (written by fixtures/build_fixture_model.py). */
export async function fixtureWeights(): Promise<{ W: number[][]; b: number[] }> {
  return JSON.parse(await readFile(path.join(TINY_MODEL_DIR, 'fixture-weights.json'), 'utf8'));
}

/** Logits the tiny fixture must give for a solid colour: W · ((c/255 - mean)/std) + b. */
export async function expectedSolidLogits(rgb: Rgb): Promise<number[]> {
  const { W, b } = await fixtureWeights();
  const mean = [0.485, 0.456, 0.406];
  const std = [0.229, 0.224, 0.225];
  const x = rgb.map((v, c) => (v / 255 - mean[c]) / std[c]);
  return W.map((row, k) => row[0] * x[0] + row[1] * x[1] + row[2] * x[2] + b[k]);
}

/** A fresh temp directory; remove it with `removeTemp`. */
export function makeTemp(prefix = 'vegvision-classifier-'): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}

export async function removeTemp(dir: string | undefined): Promise<void> {
  if (dir) await rm(dir, { recursive: true, force: true });
}

/** Copy a model directory to `dest`, optionally rewriting its card. */
export async function copyModel(
  src: string,
  dest: string,
  editCard?: (card: Record<string, unknown>) => void,
): Promise<string> {
  await cp(src, dest, { recursive: true });
  if (editCard) {
    const cardPath = path.join(dest, 'model-card.json');
    const card = JSON.parse(await readFile(cardPath, 'utf8'));
    editCard(card);
    await writeFile(cardPath, JSON.stringify(card, null, 2));
  }
  return dest;
}
