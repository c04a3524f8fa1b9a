// An API process without a projector of its own (distributed mode runs them apart) still sends
// server-sent events: it tails the event store.
import type { NestExpressApplication } from '@nestjs/platform-express';
import { loadConfig } from '@vegvision/config';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { openSse } from '@vegvision/test-support';
import { createHttpApp, listen } from './http-app';

jest.setTimeout(120_000);

it('streams ImageUploaded over SSE from an API-only process', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vv-live-'));
  const config = loadConfig({ dataDir: dir, port: 0, logLevel: 'silent', roles: 'api' }, {});
  const app: NestExpressApplication = await createHttpApp({ config, workers: true });
  try {
    const url = await listen(app, config);
    const sse = openSse(`${url}/api/events`);
    await sse.ready;
    const png = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#ff0000' } }).png().toBuffer();
    const form = new FormData();
    form.append('file', new Blob([png], { type: 'image/png' }), 'red.png');
    const upload = await fetch(`${url}/api/images`, { method: 'POST', body: form });
    expect(upload.status).toBe(202);
    const { imageId } = (await upload.json()) as { imageId: string };
    const message = await sse.waitFor((m) => m.event === 'ImageUploaded' && JSON.parse(m.data).data.imageId === imageId);
    expect(JSON.parse(message.data).data.sha256).toMatch(/^[0-9a-f]{64}$/);
    sse.close();
  } finally {
    await app.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
