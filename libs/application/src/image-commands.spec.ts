// Commands on one image from many writers at once: no expected revision, no retry loop, no
// failure. Uploads are all recorded (one of them at revision 0, the first); a classification
// recorded by several writers at once lands once and the others are told it was recorded.
import { FileEventStore } from '@vegvision/event-store';
import { decideClassification, decideUpload, imageIdFromSha256, type UploadImage } from '@vegvision/domain';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ImageCommands } from './image-commands';

const sha = createHash('sha256').update('same bytes').digest('hex');
const imageId = imageIdFromSha256(sha);
const upload: UploadImage = {
  sha256: sha,
  objectKey: `originals/${sha.slice(0, 2)}/${sha}`,
  contentType: 'image/png',
  width: 4,
  height: 3,
  sizeBytes: 99,
  source: 'upload',
};

describe('ImageCommands under concurrency', () => {
  let dir: string;
  let store: FileEventStore;
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vv-commands-'));
    store = await FileEventStore.open({ path: dir, durability: 'none' });
  });
  afterEach(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('records 64 concurrent uploads of one image, each at its own revision', async () => {
    const commands = new ImageCommands(store);
    const results = await Promise.all(
      Array.from({ length: 64 }, (_, i) => commands.execute(imageId, (s) => decideUpload(s, upload, { correlationId: `c${i}` }))),
    );
    expect(results.every((r) => r.events.length === 1)).toBe(true);
    expect(results.map((r) => r.firstRevision).sort((a, b) => a! - b!)).toEqual(results.map((_, i) => i));
    const state = await commands.load(imageId);
    expect(state.uploadEventIds.size).toBe(64);
    expect([...state.objectKeys]).toEqual([upload.objectKey]);
  });

  it('one classification per model version, however many writers record it at once', async () => {
    const commands = new ImageCommands(store);
    await commands.execute(imageId, (s) => decideUpload(s, upload, { correlationId: 'up' }));
    const classification = { modelVersion: 'm1', kind: 'Tomato', confidence: 0.9, top: [{ kind: 'Tomato', confidence: 0.9 }] };
    // Different clocks: the same deterministic event id with different payloads.
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        commands.execute(imageId, (s) =>
          decideClassification(s, classification, { correlationId: `w${i}`, now: () => new Date(Date.UTC(2026, 0, 1, 0, 0, i)) }),
        ),
      ),
    );
    expect(results.filter((r) => r.events.length === 1)).toHaveLength(1);
    expect(results.filter((r) => r.events.length === 0 && r.firstRevision === null)).toHaveLength(7);
    expect((await store.readStream(`image-${imageId}`)).map((e) => e.type)).toEqual(['ImageUploaded', 'ImageClassified']);
  });
});
