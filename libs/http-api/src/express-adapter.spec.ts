// The adapter's HTTP server makes requests and responses with Express's own prototypes, so that
// Express finds them in place instead of swapping them per request, and it still closes open
// connections on close() when asked to (forceCloseConnections, which `vegvision serve` relies on
// to stop with a live-feed client connected).
import type { Express, Request, Response } from 'express';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PrototypedExpressAdapter } from './express-adapter';

async function started(forceCloseConnections: boolean): Promise<{ adapter: PrototypedExpressAdapter; url: string }> {
  const adapter = new PrototypedExpressAdapter();
  adapter.initHttpServer({ forceCloseConnections });
  const app = adapter.getInstance<Express>();
  app.get('/prototypes', (req: Request, res: Response) => {
    res.json({ request: Object.getPrototypeOf(req) === app.request, response: Object.getPrototypeOf(res) === app.response, path: req.path });
  });
  app.get('/held', (_req: Request, res: Response) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(': open\n\n');
  });
  const server = adapter.getHttpServer() as http.Server;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { adapter, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('PrototypedExpressAdapter', () => {
  it("makes each request and response with the app's prototypes, Express working as usual", async () => {
    const { adapter, url } = await started(false);
    const app = adapter.getInstance<Express>();
    // As the server makes them, before Express sees them.
    const made: boolean[] = [];
    (adapter.getHttpServer() as http.Server).prependListener('request', (req, res) => {
      made.push(Object.getPrototypeOf(req) === app.request && Object.getPrototypeOf(res) === app.response);
    });
    try {
      for (let i = 0; i < 3; i++) {
        const answer = await fetch(`${url}/prototypes?i=${i}`);
        expect(answer.status).toBe(200);
        expect(await answer.json()).toEqual({ request: true, response: true, path: '/prototypes' });
      }
      expect(made).toEqual([true, true, true]);
    } finally {
      await adapter.close();
    }
  });

  it('closes a connection still open when it closes, with forceCloseConnections', async () => {
    const { adapter, url } = await started(true);
    const ended = new Promise<string>((resolve, reject) => {
      http.get(`${url}/held`, (res) => {
        res.once('data', () => void adapter.close());
        res.on('close', () => resolve('closed'));
      }).on('error', reject);
    });
    await expect(ended).resolves.toBe('closed');
  });
});
