// One thread of the labelling pool (analysis-pool.ts): decodes each image once and serves both
// the classification and the colour measures from those pixels. It holds one onnxruntime
// session per model version (one intra-op thread: the pool's threads are the parallelism), and
// classifies the images of one batch in one onnxruntime run. Only small results go back.
import { VegetableClassifier, type Classification } from '@vegvision/classifier';
import { detectColours } from '@vegvision/colour';
import { decodeImage, type DecodedImage } from '@vegvision/imaging';
import { parentPort } from 'node:worker_threads';
import { serializeError, type Analysis, type AnalysisJob, type JobReply, type WorkerReply, type WorkerRequest } from './protocol';

const port = parentPort;
if (!port) throw new Error('analysis.worker runs as a worker thread of the labelling pool');

const classifiers = new Map<string, Promise<VegetableClassifier>>();

function classifier(modelDir: string): Promise<VegetableClassifier> {
  let c = classifiers.get(modelDir);
  if (!c) {
    c = VegetableClassifier.load(modelDir, { intraOpNumThreads: 1, interOpNumThreads: 1, maxConcurrentRuns: 1 });
    classifiers.set(modelDir, c);
    c.catch(() => classifiers.delete(modelDir)); // a failed load is tried again next time
  }
  return c;
}

type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

async function attempt<T>(f: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await f() };
  } catch (error) {
    return { ok: false, error };
  }
}

/** The classifications of the decoded images that want `modelDir`, in one run; one by one when the run fails, to tell whose fault it is. */
async function classifyAll(modelDir: string, images: DecodedImage[]): Promise<Outcome<Classification>[]> {
  const loaded = await attempt(() => classifier(modelDir));
  if (!loaded.ok) return images.map(() => loaded);
  const c = loaded.value;
  const batch = await attempt(() => c.classifyBatch(images));
  if (batch.ok) return batch.value.map((value) => ({ ok: true, value }));
  if (images.length === 1) return [batch];
  return Promise.all(images.map((image) => attempt(() => c.classify(image))));
}

/**
 * Decoded pixels held at once for one onnxruntime run. A batch is decoded image by image and run
 * whenever this many pixels are held: eight phone photos (12 MP, 36 MB each decoded) would
 * otherwise all be held at full size until the run; eight dataset images (0.05 MP) go as one.
 */
const BATCH_PIXELS = 4_000_000;

interface Decoded {
  index: number;
  job: AnalysisJob;
  image: DecodedImage;
}

/** Classifies `group` (one run per model) and measures its colours into `replies`. */
async function finish(group: Decoded[], replies: JobReply[]): Promise<void> {
  const classified = new Map<number, Outcome<Classification>>();
  const byModel = new Map<string, Decoded[]>();
  for (const d of group) if (d.job.modelDir) byModel.set(d.job.modelDir, [...(byModel.get(d.job.modelDir) ?? []), d]);
  for (const [modelDir, members] of byModel) {
    (await classifyAll(modelDir, members.map((d) => d.image))).forEach((outcome, k) => classified.set(members[k].index, outcome));
  }
  for (const { index, job, image } of group) {
    try {
      const analysis: Analysis = { colours: {} };
      if (job.modelDir) {
        const c = classified.get(index);
        if (!c) throw new Error('no classification');
        if (!c.ok) throw c.error;
        analysis.classification = c.value;
      }
      for (const variant of job.colours ?? []) analysis.colours[variant] = detectColours(image, { variant });
      replies[index] = { ok: true, analysis };
    } catch (error) {
      replies[index] = { ok: false, error: serializeError(error) };
    }
  }
}

async function analyse(jobs: AnalysisJob[]): Promise<JobReply[]> {
  const replies: JobReply[] = new Array<JobReply>(jobs.length);
  let group: Decoded[] = [];
  let pixels = 0;
  for (const [index, job] of jobs.entries()) {
    const decoded = await attempt(() => decodeImage(new Uint8Array(job.bytes), job.limits));
    if (!decoded.ok) {
      replies[index] = { ok: false, error: serializeError(decoded.error) };
      continue;
    }
    group.push({ index, job, image: decoded.value });
    pixels += decoded.value.width * decoded.value.height;
    if (pixels >= BATCH_PIXELS) {
      await finish(group, replies);
      group = [];
      pixels = 0;
    }
  }
  if (group.length > 0) await finish(group, replies);
  return replies;
}

async function close(): Promise<void> {
  for (const c of classifiers.values()) await (await c.catch(() => undefined))?.close();
  classifiers.clear();
}

const reply = (message: WorkerReply) => port.postMessage(message);

port.on('message', (request: WorkerRequest) => {
  switch (request.type) {
    case 'analyse':
      void analyse(request.jobs).then((replies) => reply({ type: 'analysed', batch: request.batch, replies }));
      break;
    case 'load':
      void (request.modelDir ? classifier(request.modelDir) : Promise.resolve()).then(
        () => reply({ type: 'loaded', batch: request.batch }),
        (error: unknown) => reply({ type: 'loaded', batch: request.batch, error: serializeError(error) }),
      );
      break;
    case 'close':
      void close().finally(() => reply({ type: 'closed' }));
      break;
  }
});
