// `vegvision label`: a refused photo reads "not_a_vegetable" with the closest kind named as
// closest (text and --json), and phone formats (HEIC) label like any other file.
import { heifFixture } from '@vegvision/test-support';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { labelJson, labelText, runLabel, type LabelLine } from './label';

jest.setTimeout(120_000);

const refused: LabelLine = {
  file: 'cat.jpg',
  classification: {
    kind: 'not_a_vegetable',
    confidence: 0.32641,
    rejected: true,
    top: [
      { kind: 'Brinjal', confidence: 0.32641 },
      { kind: 'Potato', confidence: 0.2 },
      { kind: 'Radish', confidence: 0.1 },
      { kind: 'Tomato', confidence: 0.05 },
    ],
    modelVersion: 'mnv2-160-v1',
  },
  rgb: '#FF0000',
  ryb: '#FE2712',
};

const accepted: LabelLine = {
  ...refused,
  file: 'tomato.jpg',
  classification: {
    kind: 'Tomato',
    confidence: 0.971,
    rejected: false,
    top: [
      { kind: 'Tomato', confidence: 0.971 },
      { kind: 'Capsicum', confidence: 0.02 },
    ],
    modelVersion: 'mnv2-160-v1',
  },
};

describe('label output', () => {
  it('text: a refused photo says not_a_vegetable and names the closest kind as closest, without a certainty', () => {
    const line = labelText(refused);
    expect(line.split('\t')).toEqual([
      'cat.jpg',
      'not_a_vegetable',
      'closest kind: Brinjal (32.6%)',
      '[Brinjal 32.6%, Potato 20.0%, Radish 10.0%]',
      'RGB #FF0000',
      'RYB #FE2712',
    ]);
    expect(line).not.toMatch(/sure/);
  });

  it('text: an accepted kind keeps its confidence column', () => {
    expect(labelText(accepted).split('\t').slice(1, 3)).toEqual(['Tomato', '97.1%']);
  });

  it('--json: rejected and closestKind, with confidence kept for older readers', () => {
    expect(JSON.parse(labelJson(refused))).toEqual({
      file: 'cat.jpg',
      kind: 'not_a_vegetable',
      confidence: 0.3264,
      rejected: true,
      closestKind: { kind: 'Brinjal', confidence: 0.3264 },
      top: [
        { kind: 'Brinjal', confidence: 0.3264 },
        { kind: 'Potato', confidence: 0.2 },
        { kind: 'Radish', confidence: 0.1 },
      ],
      rgb: '#FF0000',
      ryb: '#FE2712',
      modelVersion: 'mnv2-160-v1',
    });
    expect(JSON.parse(labelJson(accepted))).toMatchObject({ kind: 'Tomato', rejected: false, closestKind: null });
  });
});

describe('runLabel', () => {
  it('labels a HEIC photo with the shipped model and reports a broken one', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vv-label-'));
    try {
      const heic = path.join(dir, 'IMG_0001.HEIC');
      fs.writeFileSync(heic, heifFixture('quadrants'));
      const broken = path.join(dir, 'IMG_0002.HEIC');
      fs.writeFileSync(broken, heifFixture('quadrants').subarray(0, 300));
      const out = new PassThrough();
      const err = new PassThrough();
      const failed = await runLabel([heic, broken], { json: true, out, err });
      out.end();
      err.end();
      const lines = String(out.read()).trim().split('\n').map((l) => JSON.parse(l));
      expect(failed).toBe(1);
      expect(lines[0]).toMatchObject({ file: heic, rgb: expect.stringMatching(/^#[0-9A-F]{6}$/), top: expect.any(Array) });
      expect(typeof lines[0].rejected).toBe('boolean');
      expect(lines[0].closestKind === null).toBe(!lines[0].rejected);
      expect(lines[1]).toMatchObject({ file: broken, error: { code: 'corrupt_image' } });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
