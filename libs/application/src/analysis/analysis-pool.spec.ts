// The labelling pool gives what the main thread gives (the same classification, the same
// colours), rebuilds the errors as their classes, batches a backlog and shuts down cleanly.
import { VegetableClassifier, defaultModelDir, ModelNotFoundError } from '@vegvision/classifier';
import { detectColours, type ColourVariant } from '@vegvision/colour';
import { decodeImage, ImageDecodeError, ImageTooLargeError, UnsupportedImageTypeError } from '@vegvision/imaging';
import sharp from 'sharp';
import { AnalysisPool, AnalysisPoolClosedError } from './analysis-pool';
import { deserializeError, serializeError } from './protocol';

jest.setTimeout(120_000);

const VARIANTS: ColourVariant[] = ['correct', 'subject', 'legacy-uint8-wraparound'];

/** A photo-like image: a coloured disc on a lighter background with some noise. */
async function photo(seed: number, format: 'jpeg' | 'png' | 'webp' = 'jpeg'): Promise<Buffer> {
  const w = 120 + seed * 7;
  const h = 90 + seed * 5;
  const data = Buffer.alloc(w * h * 3);
  let s = seed * 7919 + 1;
  const rnd = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const inside = (x - w / 2) ** 2 + (y - h / 2) ** 2 < (Math.min(w, h) / 3) ** 2;
      const i = (y * w + x) * 3;
      const n = Math.floor(rnd() * 30);
      data[i] = inside ? 200 - seed * 20 + n : 230 - n;
      data[i + 1] = inside ? 40 + seed * 30 + n : 225 - n;
      data[i + 2] = inside ? 30 + n : 215 - n;
    }
  }
  return sharp(data, { raw: { width: w, height: h, channels: 3 } })[format]().toBuffer();
}

describe('AnalysisPool', () => {
  const modelDir = defaultModelDir();
  let pool: AnalysisPool;
  let main: VegetableClassifier;

  beforeAll(async () => {
    pool = new AnalysisPool({ threads: 2, maxBatch: 4 });
    main = await VegetableClassifier.load(modelDir, { intraOpNumThreads: 1 });
  });

  afterAll(async () => {
    await pool.close();
    await main.close();
  });

  it('classifies and measures colours as the main thread does, from one decode', async () => {
    const images = await Promise.all([photo(1), photo(2, 'png'), photo(3, 'webp'), photo(4), photo(5)]);
    const expected = await Promise.all(
      images.map(async (bytes) => {
        const decoded = await decodeImage(bytes);
        const c = await main.classify(decoded);
        return { c, colours: Object.fromEntries(VARIANTS.map((v) => [v, detectColours(decoded, { variant: v })])) };
      }),
    );
    // Copies: the pool takes (transfers) the bytes it is given.
    const got = await Promise.all(images.map((b) => pool.analyse({ bytes: Buffer.from(b), modelDir, colours: VARIANTS })));
    got.forEach((a, i) => {
      const { c, colours } = expected[i];
      expect(a.classification).toMatchObject({ kind: c.kind, predictedKind: c.predictedKind, modelVersion: c.modelVersion, rejected: c.rejected });
      expect(a.classification!.confidence).toBeCloseTo(c.confidence, 5);
      expect(a.classification!.top.map((t) => t.kind)).toEqual(c.top.map((t) => t.kind));
      expect(Array.from(a.classification!.logits).map((x) => x.toFixed(4))).toEqual(Array.from(c.logits).map((x) => x.toFixed(4)));
      expect(a.colours).toEqual(colours);
    });
  });

  it('gives every image of a batch holding more pixels than one run takes (large photos) its own answer', async () => {
    // One thread, busy with a first image while the four queue, so they go as one batch: two of
    // 2,400 × 1,800 (4.3 MP each, over the pixels one onnxruntime run holds) and two small ones.
    const one = new AnalysisPool({ threads: 1, maxBatch: 4 });
    try {
      const large = (seed: number) =>
        photo(seed).then((b) => sharp(b).resize(2400, 1800, { fit: 'fill' }).jpeg().toBuffer());
      const images = await Promise.all([large(1), photo(2), large(3), photo(4)]);
      const expected = await Promise.all(
        images.map(async (bytes) => {
          const decoded = await decodeImage(bytes);
          return { kind: (await main.classify(decoded)).kind, colour: detectColours(decoded).rgb.hex };
        }),
      );
      await one.load(modelDir);
      const first = one.analyse({ bytes: await photo(5), modelDir });
      const got = await Promise.all(images.map((b) => one.analyse({ bytes: Buffer.from(b), modelDir, colours: ['correct'] })));
      await first;
      expect(one.stats.largestBatch).toBe(4);
      expect(got.map((a) => ({ kind: a.classification?.kind, colour: a.colours.correct?.rgb.hex }))).toEqual(expected);
    } finally {
      await one.close();
    }
  });

  it('gives only the parts asked for', async () => {
    const coloursOnly = await pool.analyse({ bytes: await photo(2), colours: ['correct'] });
    expect(coloursOnly.classification).toBeUndefined();
    expect(Object.keys(coloursOnly.colours)).toEqual(['correct']);
    const labelOnly = await pool.analyse({ bytes: await photo(2), modelDir });
    expect(labelOnly.classification?.modelVersion).toBe(main.version);
    expect(labelOnly.colours).toEqual({});
  });

  it('rejects with the error classes of the main thread, and one bad image spoils no other of its batch', async () => {
    const good = await photo(1);
    const truncated = good.subarray(0, 200);
    const results = await Promise.allSettled([
      pool.analyse({ bytes: Buffer.from(truncated), modelDir, colours: ['correct'] }),
      pool.analyse({ bytes: Buffer.from('GIF89a not really an image'), modelDir }),
      pool.analyse({ bytes: Buffer.from(good), modelDir, limits: { maxPixels: 100 } }),
      pool.analyse({ bytes: Buffer.from(good), modelDir, colours: ['correct'] }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected', 'fulfilled']);
    const reason = (i: number) => (results[i] as PromiseRejectedResult).reason;
    expect(reason(0)).toBeInstanceOf(ImageDecodeError);
    expect(reason(0)).toMatchObject({ code: 'corrupt_image', name: 'ImageDecodeError' });
    expect(reason(1)).toBeInstanceOf(UnsupportedImageTypeError);
    expect(reason(1)).toMatchObject({ code: 'unsupported_media_type', detected: 'a GIF image' });
    expect(reason(2)).toBeInstanceOf(ImageTooLargeError);
    expect(reason(2)).toMatchObject({ code: 'image_too_large', reason: 'pixels', limit: 100 });
    await expect(pool.load('/nonexistent/model')).rejects.toBeInstanceOf(ModelNotFoundError);
  });

  it('takes a backlog in batches of at most maxBatch, shared between the free threads', async () => {
    const bytes = await photo(3);
    const before = { ...pool.stats };
    const results = await Promise.all(Array.from({ length: 13 }, () => pool.analyse({ bytes: Buffer.from(bytes), modelDir, colours: ['correct'] })));
    expect(new Set(results.map((r) => r.classification!.kind)).size).toBe(1);
    expect(new Set(results.map((r) => r.colours.correct!.rgb.hex)).size).toBe(1);
    expect(pool.queued).toBe(0);
    // The first two went at once, one each; the others waited for a thread and went in batches.
    expect(pool.stats.images - before.images).toBe(13);
    expect(pool.stats.batches - before.batches).toBeLessThanOrEqual(2 + Math.ceil(11 / 2));
    expect(pool.stats.largestBatch).toBe(4);
  });

  it('puts a live upload ahead of the backlog', async () => {
    const own = new AnalysisPool({ threads: 1, maxBatch: 1 });
    try {
      const bytes = await photo(1);
      const order: string[] = [];
      const track = (name: string, urgent: boolean) =>
        own.analyse({ bytes: Buffer.from(bytes), colours: ['correct'], urgent }).then(() => order.push(name));
      const all = [track('b1', false), track('b2', false), track('b3', false), track('b4', false), track('live', true)];
      await Promise.all(all);
      // b1 went at once (the thread was free); the live one went next, ahead of b2..b4.
      expect(order).toEqual(['b1', 'live', 'b2', 'b3', 'b4']);
    } finally {
      await own.close();
    }
  });

  it('a thread that dies fails only its own images, and a new one takes the queue', async () => {
    const own = new AnalysisPool({ threads: 1 });
    try {
      await own.load();
      const bytes = await photo(2);
      const first = own.analyse({ bytes: Buffer.from(bytes), colours: ['correct'] });
      const threads = (own as unknown as { pool: { worker: { terminate(): Promise<number> } }[] }).pool;
      await threads[0].worker.terminate();
      await expect(first).rejects.toThrow(/exited/);
      await expect(own.analyse({ bytes: Buffer.from(bytes), colours: ['correct'] })).resolves.toMatchObject({ colours: { correct: expect.any(Object) } });
    } finally {
      await own.close();
    }
  });

  it('rebuilds errors it does not know as plain errors with their code', () => {
    const e = Object.assign(new Error('boom'), { code: 'ECONNRESET' });
    const back = deserializeError(serializeError(e));
    expect(back).toBeInstanceOf(Error);
    expect(back).toMatchObject({ message: 'boom', code: 'ECONNRESET' });
  });

  it('closes: the work under way ends, later work is refused, nothing keeps Jest running', async () => {
    const own = new AnalysisPool({ threads: 1 });
    const under = own.analyse({ bytes: await photo(4), modelDir, colours: ['correct'] });
    await new Promise((r) => setTimeout(r, 50));
    const closing = own.close();
    await expect(under).resolves.toMatchObject({ classification: { modelVersion: main.version } });
    await closing;
    await expect(own.analyse({ bytes: await photo(4) })).rejects.toBeInstanceOf(AnalysisPoolClosedError);
    await own.close();
  });
});
