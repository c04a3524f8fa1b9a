// Distributed mode end to end, on the real servers of deploy/local: the five services (api,
// relay, classifier, colour-detector, projector) as separate processes, the catalog imported
// with the `vegvision` CLI, then failures: a consumer killed with SIGKILL mid-import (the
// classifier, then the projector), the Kafka broker restarted mid-import, PostgreSQL stopped
// for a while, concurrent uploads of the same bytes, and several replicas per consumer role
// sharing their groups while replicas are killed and added (rebalances), followed by a relay
// that publishes the whole log again (a restart between publish and checkpoint). Every scenario ends with every image
// projected exactly once and no duplicate event in the event store.
//
// The scenarios share the stack's servers (Kafka and PostgreSQL restarts), so they run in this
// one file, one after the other. Each scenario uses its own isolated cluster (schemas, topic,
// bucket) and removes it again.
import { LIVE_COLOUR_VARIANTS } from '@vegvision/application';
import { defaultModelDir } from '@vegvision/classifier';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { Cluster, REPO, SEED, SEED_FILES, missingStackVars, stackScript, waitFor, type EventCounts } from './cluster';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
const json = async (r: Response): Promise<Json> => r.json();

const missing = missingStackVars();
if (missing.length) console.warn(`SKIPPED: distributed end-to-end suite — ${missing.join(', ')} not set`);
const describeStack = missing.length ? describe.skip : describe;

jest.setTimeout(900_000);

/** A photo that is not in the seed sample (new bytes per seed). */
async function photo(seed: number): Promise<Buffer> {
  const jpeg = fs.readFileSync(path.join(SEED, 'Tomato/1001.jpg'));
  return sharp(jpeg)
    .resize(300 + seed, 200, { fit: 'fill' })
    .png()
    .toBuffer();
}

async function upload(api: string, bytes: Buffer, name: string): Promise<Response> {
  const form = new FormData();
  form.append('file', new Blob([bytes], { type: 'image/png' }), name);
  return fetch(`${api}/api/images`, { method: 'POST', body: form });
}

async function waitReady(api: string, imageId: string): Promise<Json> {
  return waitFor(`image ${imageId} ready`, async () => {
    const r = await fetch(`${api}/api/images/${imageId}`);
    if (r.status !== 200) return null;
    const body = await json(r);
    return body.status === 'ready' ? body : null;
  });
}

/** Images relabelled with a second model version by the relabel test (one more label each). */
let relabelled = 0;

/**
 * Exactly once: `images` images, each uploaded once (plus `extraUploads`), coloured once per live colour
 * measure (whole photo and subject) and classified once per model version (plus the relabelled ones).
 */
async function expectExactlyOnce(cluster: Cluster, images: number, extraUploads = 0): Promise<void> {
  const expected: EventCounts = {
    ImageUploaded: images + extraUploads,
    ImageClassified: images + relabelled,
    ColourDetected: images * LIVE_COLOUR_VARIANTS.length,
  };
  expect(await cluster.eventCounts()).toEqual(expected);
  const [dup] = await cluster.sql<{ n: number }>(
    `SELECT count(*)::int AS n FROM (SELECT stream_id, type, coalesce(data->>'modelVersion', data->>'algorithmVersion') AS version
     FROM "${cluster.eventSchema}".events WHERE type <> 'ImageUploaded' GROUP BY stream_id, type, version HAVING count(*) > 1) d`,
  );
  expect(dup.n).toBe(0);
  expect(await cluster.readModelCounts()).toEqual({
    images,
    ready: images,
    distinctImages: images,
    classifications: images + relabelled,
  });
}

async function expectReady(url: string): Promise<void> {
  const r = await fetch(`${url}/readyz`);
  expect(r.status).toBe(200);
}

function importSummary(output: string): string {
  return output.match(/imported \d+ file\(s\): .*/)?.[0] ?? output.slice(-2000);
}

describeStack('distributed mode, end to end on the real stack', () => {
  beforeAll(async () => {
    if (!fs.existsSync(path.join(SEED, 'seed-labels.csv'))) {
      throw new Error(`seed sample not found at ${SEED}: set VEGVISION_SHARED_DIR to the folder holding data/seed-sample`);
    }
    // Never `down`: other suites share the servers; `up` is idempotent.
    stackScript('stack.sh', 'up');
    await Cluster.removeStale();
  });

  afterAll(async () => {
    // Whatever failed or timed out: no child process, schema, topic or bucket stays behind.
    await Cluster.disposeAll();
    // Leave the servers as found: running and ready.
    stackScript('stack.sh', 'up');
    stackScript('stack.sh', 'status');
  });

  describe('five services as separate processes', () => {
    let cluster: Cluster;
    beforeAll(async () => {
      cluster = await Cluster.create();
      await cluster.startAll();
    });
    afterAll(() => {
      relabelled = 0; // later tests build their own clusters
      return cluster?.dispose();
    });

    it('imports the seed sample with the CLI, labels every image exactly once and serves the catalog', async () => {
      const output = await cluster.runImport(SEED);
      expect(importSummary(output)).toBe(`imported ${SEED_FILES} file(s): ${SEED_FILES} recorded, 0 already recorded, 0 failed`);
      // --wait (the default) returned only once every image was ready in the read model.
      expect(await cluster.readyCount()).toBe(SEED_FILES);

      const facets = await json(await fetch(`${cluster.api}/api/catalog/facets`));
      expect(facets.total).toBe(SEED_FILES);
      expect(Object.values(facets.kinds as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(SEED_FILES);

      // Importing again records nothing.
      const again = await cluster.runImport(SEED, '--no-wait');
      expect(importSummary(again)).toBe(`imported ${SEED_FILES} file(s): 0 recorded, ${SEED_FILES} already recorded, 0 failed`);

      // Upload a photo through the API; its original is served from S3 through a signed link.
      const bytes = await photo(0);
      const res = await upload(cluster.api, bytes, 'my tomato.png');
      expect(res.status).toBe(202);
      const accepted = await json(res);
      expect(accepted).toMatchObject({ status: 'processing', width: 300, height: 200, contentType: 'image/png' });
      const image = await waitReady(cluster.api, accepted.imageId);
      expect(image).toMatchObject({ source: 'upload', originalName: 'my tomato.png', uploadCount: 1 });
      expect(image.kind).toEqual(expect.any(String));
      expect(image.rgbHex).toMatch(/^#[0-9A-F]{6}$/);
      const original = await fetch(image.url);
      expect(original.status).toBe(200);
      expect(Buffer.from(await original.arrayBuffer()).equals(bytes)).toBe(true);

      // Browse with each filter.
      const f = await json(await fetch(`${cluster.api}/api/catalog/facets`));
      expect(f.total).toBe(SEED_FILES + 1);
      const [kind] = Object.entries(f.kinds as Record<string, number>).sort((a, b) => b[1] - a[1])[0];
      const byKind = await json(await fetch(`${cluster.api}/api/images?count=5&kind=${kind}`));
      expect(byKind.items).toHaveLength(Math.min(5, f.kinds[kind]));
      expect(byKind.items.every((i: Json) => i.kind === kind)).toBe(true);
      for (const palette of ['RGB', 'RYB'] as const) {
        const [colour, n] = Object.entries(f.colours[palette] as Record<string, number>)[0];
        const byColour = await json(await fetch(`${cluster.api}/api/images?count=9&palette=${palette}&colour=${encodeURIComponent(colour)}`));
        expect(byColour.items).toHaveLength(Math.min(9, n));
        const field = palette === 'RGB' ? 'rgbHex' : 'rybHex';
        expect(byColour.items.every((i: Json) => i[field] === colour)).toBe(true);
      }
      const anyItem = byKind.items[0];
      const both = await json(
        await fetch(`${cluster.api}/api/images?count=9&kind=${kind}&palette=RYB&colour=${encodeURIComponent(anyItem.rybHex)}`),
      );
      expect(both.items.length).toBeGreaterThan(0);
      expect(both.items.every((i: Json) => i.kind === kind && i.rybHex === anyItem.rybHex)).toBe(true);
      const unfiltered = await json(await fetch(`${cluster.api}/api/images?count=9`));
      expect(unfiltered.items).toHaveLength(9);
      const bad = await fetch(`${cluster.api}/api/images?count=10`);
      expect(bad.status).toBe(400);
      expect(bad.headers.get('content-type')).toContain('application/problem+json');

      // Exactly once: one row per image, one event of each kind per image.
      await expectExactlyOnce(cluster, SEED_FILES + 1);
    });

    it('accepts 8 concurrent uploads of the same bytes as one catalog entry', async () => {
      const bytes = await photo(1);
      const responses = await Promise.all(Array.from({ length: 8 }, (_, i) => upload(cluster.api, bytes, `same-${i}.png`)));
      const bodies = await Promise.all(responses.map((r) => json(r)));
      expect(responses.map((r) => r.status)).toEqual(Array(8).fill(202));
      const ids = new Set(bodies.map((b) => b.imageId));
      expect(ids.size).toBe(1);
      const [imageId] = [...ids];
      const image = await waitFor('uploadCount 8', async () => {
        const view = await waitReady(cluster.api, imageId);
        return view.uploadCount === 8 ? view : null;
      });
      expect(image).toMatchObject({ status: 'ready', uploadCount: 8 });
      const original = await fetch(image.url);
      expect(original.status).toBe(200);
      expect(Buffer.from(await original.arrayBuffer()).equals(bytes)).toBe(true);
      await expectExactlyOnce(cluster, SEED_FILES + 2, 7);
      expect(cluster.service('api').output.join('\n')).not.toContain('request failed');
    });

    it('relabels every recorded upload with another model version, exactly once, keeping the history', async () => {
      const models = fs.mkdtempSync(path.join(os.tmpdir(), 'vvd-models-'));
      try {
        const active = defaultModelDir();
        const fixture = path.join(REPO, 'libs/classifier/fixtures/tiny-model');
        const fixtureVersion = JSON.parse(fs.readFileSync(path.join(fixture, 'model-card.json'), 'utf8')).version as string;
        fs.cpSync(active, path.join(models, path.basename(active)), { recursive: true });
        fs.cpSync(fixture, path.join(models, fixtureVersion), { recursive: true });
        fs.writeFileSync(path.join(models, 'DEFAULT'), path.basename(active));
        const images = (await cluster.readModelCounts()).images;
        const before = await cluster.eventCount('ImageClassified');
        const relabel = async () => {
          const child = spawn(
            process.execPath,
            [path.join(REPO, 'services/vegvision/bin/vegvision.js'), 'relabel', '--model', fixtureVersion, '--report-dir', models],
            { cwd: REPO, env: { ...cluster.env, VEGVISION_MODELS_DIR: models }, stdio: ['ignore', 'pipe', 'pipe'] },
          );
          let out = '';
          child.stdout.on('data', (d) => (out += d));
          child.stderr.on('data', (d) => (out += d));
          const code = await new Promise((r) => child.once('exit', r));
          if (code !== 0) throw new Error(`relabel exited ${code}:\n${out.slice(-4000)}`);
          return out;
        };
        expect(await relabel()).toContain(`relabelled ${images} image(s) with ${fixtureVersion}`);
        expect(await relabel()).toContain(`relabelled 0 image(s) with ${fixtureVersion} (${images} already done`);
        expect(await cluster.eventCount('ImageClassified')).toBe(before + images);
        relabelled = images;
        // The projector service projects the new labels: newest label shown, history kept.
        await waitFor('relabel projected', async () => (await cluster.readModelCounts()).classifications === before + images);
        const sample = await json(await fetch(`${cluster.api}/api/images?count=3`));
        for (const item of sample.items) {
          const image = await json(await fetch(`${cluster.api}/api/images/${item.imageId}`));
          expect(image.modelVersion).toBe(fixtureVersion);
          expect(image.classifications.map((c: Json) => c.modelVersion)).toEqual([path.basename(active), fixtureVersion]);
        }
        expect(fs.existsSync(path.join(models, `relabel-${fixtureVersion}.png`))).toBe(true);
      } finally {
        fs.rmSync(models, { recursive: true, force: true });
      }
    });

    it('answers /readyz 503 while PostgreSQL is down and 200 again once it is back, and keeps working', async () => {
      const api = cluster.api;
      await expectReady(api);
      stackScript('postgres.sh', 'stop');
      try {
        const down = await waitFor('/readyz 503', async () => {
          const r = await fetch(`${api}/readyz`);
          return r.status === 503 ? json(r) : null;
        });
        // Down for a while: the pools see refused connections, the relay's subscription fails.
        const downSince = Date.now();
        await waitFor('10 s of outage', async () => {
          expect((await fetch(`${api}/readyz`)).status).toBe(503);
          return Date.now() - downSince > 10_000;
        }, 60_000, 1000);
        expect(down.status).toBe('unavailable');
        expect(down.checks.eventStore).not.toBe('ok');
        expect(down.checks.readModel).not.toBe('ok');
        expect(down.checks.bus).toBe('ok');
        // Requests fail cleanly meanwhile (problem+json), the service stays up.
        const r = await fetch(`${api}/api/catalog/facets`);
        expect(r.status).toBeGreaterThanOrEqual(500);
      } finally {
        stackScript('postgres.sh', 'start');
      }
      // Every service recovers by itself: no restart.
      for (const s of cluster.services.values()) {
        await waitFor(`${s.name} /readyz 200 after PostgreSQL is back`, async () => (await fetch(`${s.url}/readyz`)).status === 200);
        expect(s.running).toBe(true);
      }
      // The pools of every role work again: a new upload goes through relay, workers and projector.
      const res = await upload(api, await photo(2), 'after-outage.png');
      expect(res.status).toBe(202);
      await waitReady(api, (await json(res)).imageId);
      await expectExactlyOnce(cluster, SEED_FILES + 3, 7);
    });

    it('stops every service on SIGTERM', async () => {
      const exits = await Promise.all([...cluster.services.values()].map((s) => s.stop('SIGTERM')));
      // Each one exits by itself (stop() fails after 60 s otherwise). The status is 0, or the
      // re-raised SIGTERM: NestJS' shutdown hook and runService's handler race (see report).
      for (const exit of exits) expect(exit.code === 0 || exit.signal === 'SIGTERM').toBe(true);
      for (const s of cluster.services.values()) expect(s.running).toBe(false);
      // Nothing was processed twice while the services shut down.
      await expectExactlyOnce(cluster, SEED_FILES + 3, 7);
    });
  });

  /**
   * Imports the seed sample into a fresh cluster while `disrupt` runs once `trigger` holds.
   * With `rerun`, files the import could not record during the disruption are recorded by
   * running the import again (it is idempotent), as an operator would.
   */
  async function importWithFailure(
    trigger: (cluster: Cluster) => Promise<boolean>,
    disrupt: (cluster: Cluster) => Promise<void>,
    options: { rerun?: boolean } = {},
  ): Promise<void> {
    const cluster = await Cluster.create();
    try {
      await cluster.startAll();
      const importer = cluster.startImport(SEED);
      await waitFor('the failure trigger', async () => {
        if (!importer.running) throw new Error(`import ended before the failure was injected:\n${importer.tail()}`);
        return trigger(cluster);
      }, 600_000, 100);
      await disrupt(cluster);
      // Bounded: an image lost on the way would keep the import waiting for ever.
      let timer: NodeJS.Timeout | undefined;
      const outcome = await Promise.race([
        importer.exited,
        new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), 480_000))),
      ]);
      clearTimeout(timer);
      if (outcome === 'timeout') {
        throw new Error(
          `import still waiting after 8 min: events ${JSON.stringify(await cluster.eventCounts())}, ` +
            `read model ${JSON.stringify(await cluster.readModelCounts())}\n${importer.tail(20)}`,
        );
      }
      const { code } = outcome;
      if (options.rerun) {
        // 2: some files failed while the database was down.
        if (code !== 0 && code !== 2) throw new Error(`import exited ${code}:\n${importer.tail(60)}`);
        const first = importSummary(importer.output.join('\n'));
        const recorded = Number(first.match(/: (\d+) recorded/)?.[1] ?? NaN);
        const again = await cluster.runImport(SEED);
        expect(importSummary(again)).toBe(
          `imported ${SEED_FILES} file(s): ${SEED_FILES - recorded} recorded, ${recorded} already recorded, 0 failed`,
        );
      } else {
        if (code !== 0) throw new Error(`import exited ${code}:\n${importer.tail(60)}`);
        expect(importSummary(importer.output.join('\n'))).toBe(
          `imported ${SEED_FILES} file(s): ${SEED_FILES} recorded, 0 already recorded, 0 failed`,
        );
      }
      await expectExactlyOnce(cluster, SEED_FILES);
      for (const s of cluster.services.values()) await expectReady(s.url);
    } finally {
      await cluster.dispose();
    }
  }

  it('loses and duplicates nothing when the classifier is killed with SIGKILL mid-import and restarted', async () => {
    await importWithFailure(
      async (c) => (await c.eventCount('ImageClassified')) >= 30,
      async (c) => {
        const killed = await c.service('classifier').stop('SIGKILL');
        expect(killed.signal).toBe('SIGKILL');
        await c.start('classifier');
      },
    );
  });

  it('loses and duplicates nothing when the projector is killed with SIGKILL mid-import and restarted', async () => {
    await importWithFailure(
      async (c) => (await c.readyCount().catch(() => 0)) >= 30,
      async (c) => {
        const killed = await c.service('projector').stop('SIGKILL');
        expect(killed.signal).toBe('SIGKILL');
        await c.start('projector');
      },
    );
  });

  it('loses and duplicates nothing when PostgreSQL is down for 10 s mid-import', async () => {
    await importWithFailure(
      async (c) => (await c.readyCount().catch(() => 0)) >= 30,
      async (c) => {
        stackScript('postgres.sh', 'stop');
        try {
          const api = c.service('api').url;
          await waitFor('/readyz 503', async () => (await fetch(`${api}/readyz`)).status === 503);
          await new Promise((r) => setTimeout(r, 10_000));
        } finally {
          stackScript('postgres.sh', 'start');
        }
      },
      { rerun: true },
    );
  });

  it('completes the import when the Kafka broker restarts mid-import', async () => {
    await importWithFailure(
      async (c) => (await c.readyCount().catch(() => 0)) >= 30,
      async () => stackScript('kafka.sh', 'restart'),
    );
  });

  /**
   * Several replicas per consumer role. The relay is paced (SIGSTOP/SIGCONT) while replicas come
   * and go, so events keep flowing through every rebalance instead of the 270 images being done
   * before a new replica has joined.
   */
  it('2 replicas per consumer role: one of each killed with SIGKILL mid-import, replaced, a third added; every image exactly once, nothing dead-lettered, lag 0; then a relay restart that republishes everything changes nothing', async () => {
    const cluster = await Cluster.create();
    const roles = ['classifier', 'colour-detector', 'projector'] as const;
    const groups = ['classifier', 'colour', 'projector'] as const;
    let pacing = false;
    let pacer: Promise<void> = Promise.resolve();
    const pace = () => {
      pacing = true;
      pacer = (async () => {
        const relay = cluster.service('relay');
        while (pacing && relay.running) {
          relay.process.kill('SIGCONT');
          await new Promise((r) => setTimeout(r, 150));
          if (!pacing) break;
          relay.process.kill('SIGSTOP');
          await new Promise((r) => setTimeout(r, 850));
        }
        if (relay.running) relay.process.kill('SIGCONT');
      })();
    };
    const stopPacing = async () => {
      pacing = false;
      await pacer;
    };
    try {
      await Promise.all([cluster.start('api'), cluster.start('relay'), ...roles.flatMap((r) => [cluster.start(r), cluster.start(r)])]);
      expect(await cluster.topicPartitions()).toBe(12);
      const importer = cluster.startImport(SEED);
      await waitFor('30 images classified', async () => {
        if (!importer.running) throw new Error(`import ended before the failure was injected:\n${importer.tail()}`);
        return (await cluster.eventCount('ImageClassified')) >= 30;
      }, 600_000, 100);
      // Rebalance 1: one replica of each role dies holding whatever it had not committed.
      for (const role of roles) expect((await cluster.replicas(role)[0].stop('SIGKILL')).signal).toBe('SIGKILL');
      pace();
      const midway = await cluster.readyCount();
      // Rebalance 2: replacements join; rebalance 3: a third replica of each role joins.
      await Promise.all(roles.map((r) => cluster.start(r)));
      await Promise.all(roles.map((r) => cluster.start(r)));
      const joinedAt = await cluster.readyCount();
      for (const role of roles) expect(cluster.replicas(role)).toHaveLength(3);
      await stopPacing();
      expect(joinedAt).toBeLessThan(SEED_FILES); // the joins happened mid-import
      expect(midway).toBeLessThan(SEED_FILES);

      const { code } = await importer.exited;
      if (code !== 0) throw new Error(`import exited ${code}:\n${importer.tail(60)}`);
      expect(importSummary(importer.output.join('\n'))).toBe(
        `imported ${SEED_FILES} file(s): ${SEED_FILES} recorded, 0 already recorded, 0 failed`,
      );
      await expectExactlyOnce(cluster, SEED_FILES);
      for (const group of groups) await waitFor(`lag 0 in ${group}`, async () => (await cluster.lag(group)) === 0, 120_000, 500);
      expect(await cluster.topicMessages(`${cluster.topic}.dlq`)).toBe(0);
      // Ten processes on a small machine: a readiness check may time out (2 s) once; each must answer 200.
      for (const s of cluster.running()) {
        await waitFor(`${s.label} /readyz 200`, async () => (await fetch(`${s.url}/readyz`)).status === 200, 60_000, 1000);
      }
      // Every consumer replica reports its group's lag on /metrics (what autoscaling watches).
      for (const [role, group] of [['classifier', 'classifier'], ['colour-detector', 'colour'], ['projector', 'projector']] as const) {
        for (const replica of cluster.replicas(role)) {
          const text = await (await fetch(`${replica.url}/metrics`)).text();
          expect(text).toContain(`vegvision_consumer_group_lag_messages{group="${cluster.topic}.${group}"} 0`);
        }
      }

      // The relay dies after publishing and before its checkpoint: simulated for every event at
      // once by removing the checkpoint, so the restarted relay publishes the whole log again.
      const published = await cluster.topicMessages();
      const events = Object.values(await cluster.eventCounts()).reduce((a, b) => a + b, 0);
      expect((await cluster.service('relay').stop('SIGKILL')).signal).toBe('SIGKILL');
      await cluster.sql(`DELETE FROM "${cluster.checkpointSchema}".checkpoints WHERE name = 'relay'`);
      await cluster.sql(`DELETE FROM "${cluster.readSchema}".projection_checkpoints WHERE name = 'relay'`); // none since the checkpoint store; legacy
      await cluster.start('relay');
      await waitFor('the log published again', async () => (await cluster.topicMessages()) >= published + events, 300_000, 500);
      for (const group of groups) await waitFor(`lag 0 in ${group} again`, async () => (await cluster.lag(group)) === 0, 300_000, 500);
      await expectExactlyOnce(cluster, SEED_FILES);
      expect(await cluster.topicMessages(`${cluster.topic}.dlq`)).toBe(0);
    } finally {
      await stopPacing();
      await cluster.dispose();
    }
  });
});
