// A refused photo (kind not_a_vegetable) is presented as refused, with the closest kind named
// as closest: GET /api/images/:id, its history and GET /api/images carry `closestKind`.
import type { NestExpressApplication } from '@nestjs/platform-express';
import { EVENT_STORE } from '@vegvision/application';
import { loadConfig } from '@vegvision/config';
import { encodeEvent } from '@vegvision/contracts';
import { imageStreamId } from '@vegvision/domain';
import type { EventStore } from '@vegvision/event-store';
import { makeClassified, makeColourDetected, makeUploaded } from '@vegvision/read-model/testing';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHttpApp, listen } from './http-app';

jest.setTimeout(120_000);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

describe('HTTP API: a refused photo names the closest kind as closest', () => {
  let dir: string;
  let app: NestExpressApplication;
  let url: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vv-refused-'));
    // No classifier or colour worker: the labels are the recorded events below.
    const config = loadConfig({ dataDir: dir, port: 0, logLevel: 'silent', roles: 'api,relay,projector' }, {});
    app = await createHttpApp({ config, workers: true });
    url = await listen(app, config);
  });
  afterAll(async () => {
    await app?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function record(kind: string, confidence: number, top: { kind: string; confidence: number }[]): Promise<string> {
    const uploaded = makeUploaded();
    const id = uploaded.data.imageId;
    const events = [uploaded, makeClassified(id, { kind, confidence, top }), makeColourDetected(id)];
    await app.get<EventStore>(EVENT_STORE, { strict: false }).append(imageStreamId(id), events.map(encodeEvent));
    return id;
  }

  async function ready(id: string): Promise<Json> {
    for (const end = Date.now() + 60_000; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) {
      const res = await fetch(`${url}/api/images/${id}`);
      const body: Json = await res.json();
      if (res.status === 200 && body.status === 'ready') return body;
    }
    throw new Error(`image ${id} not projected`);
  }

  it('GET /api/images/:id: kind not_a_vegetable with closestKind = the top kind and its probability', async () => {
    const id = await record('not_a_vegetable', 0.326, [
      { kind: 'Brinjal', confidence: 0.326 },
      { kind: 'Potato', confidence: 0.21 },
    ]);
    const image = await ready(id);
    expect(image).toMatchObject({ kind: 'not_a_vegetable', confidence: 0.326, closestKind: { kind: 'Brinjal', confidence: 0.326 } });
    expect(image.classifications).toHaveLength(1);
    expect(image.classifications[0]).toMatchObject({ kind: 'not_a_vegetable', closestKind: { kind: 'Brinjal', confidence: 0.326 } });

    const sample: Json = await (await fetch(`${url}/api/images?kind=not_a_vegetable`)).json();
    expect(sample.items).toEqual([expect.objectContaining({ imageId: id, closestKind: { kind: 'Brinjal', confidence: 0.326 } })]);
  });

  it('an accepted label has closestKind null (its confidence is the certainty of the kind)', async () => {
    const id = await record('Tomato', 0.97, [
      { kind: 'Tomato', confidence: 0.97 },
      { kind: 'Capsicum', confidence: 0.02 },
    ]);
    const image = await ready(id);
    expect(image).toMatchObject({ kind: 'Tomato', confidence: 0.97, closestKind: null });
    expect(image.classifications[0].closestKind).toBeNull();
  });

  it('documents closestKind in the OpenAPI document', async () => {
    const doc: Json = await (await fetch(`${url}/api/docs/openapi.json`)).json();
    // The image detail is the Image component plus its history (allOf).
    const detail = doc.paths['/api/images/{id}'].get.responses['200'].content['application/json'].schema;
    expect(detail.allOf[0].$ref).toBe('#/components/schemas/Image');
    const schema = doc.components.schemas.Image;
    expect(schema.properties.closestKind.description).toMatch(/not_a_vegetable/);
    expect(schema.properties.confidence.description).toMatch(/not a certainty/);
  });
});
