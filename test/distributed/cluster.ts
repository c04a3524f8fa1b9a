// Test harness of the distributed end-to-end suite: one isolated vegvision deployment on the
// real servers of deploy/local (PostgreSQL, Kafka, S3), made of the five services started as
// separate child processes, plus the `vegvision` CLI as a child process.
//
// Isolation per cluster: its own PostgreSQL schemas (event store and read model), its own Kafka
// topic (and so its own consumer groups, which are named after the topic) and its own S3
// bucket. dispose() kills every child still alive and removes all of it again.
import { freePort } from '@vegvision/test-support';
import { DeleteBucketCommand, HeadBucketCommand } from '@aws-sdk/client-s3';
import { S3ObjectStorage } from '@vegvision/storage';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { Pool } from 'pg';

export const REPO = path.resolve(__dirname, '../..');
export const SHARED = process.env['VEGVISION_SHARED_DIR'] ?? path.resolve(REPO, '../shared');
export const SEED = path.join(SHARED, 'data/seed-sample');
export const SEED_FILES = 270;

/** The stack variables the suite needs (CI sets them; locally: deploy/local/stack.sh env). */
export const STACK_VARS = ['VEGVISION_DATABASE_URL', 'VEGVISION_KAFKA_BROKERS', 'VEGVISION_S3_ENDPOINT'] as const;
export const missingStackVars = (): string[] => STACK_VARS.filter((v) => !process.env[v]);

export const SERVICES = ['api', 'relay', 'classifier', 'colour-detector', 'projector'] as const;
export type ServiceName = (typeof SERVICES)[number];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls fn until it returns a truthy value; throws with `what` after timeoutMs. */
export async function waitFor<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 180_000, everyMs = 250): Promise<T> {
  const end = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > end) {
      const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`);
    }
    await sleep(everyMs);
  }
}

/** Runs a deploy/local script (e.g. kafka.sh restart), throwing with its output on failure. */
export function stackScript(script: string, ...args: string[]): void {
  const r = spawnSync('bash', [path.join(REPO, 'deploy/local', script), ...args], { encoding: 'utf8', timeout: 240_000 });
  if (r.status !== 0) throw new Error(`deploy/local/${script} ${args.join(' ')} failed (${r.status}): ${r.stderr}${r.stdout}`);
}

/** Every child this process started and that is still alive: killed when the process exits. */
const alive = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of alive) child.kill('SIGKILL');
});

class Child {
  readonly output: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(
    readonly label: string,
    readonly process: ChildProcess,
  ) {
    alive.add(process);
    const keep = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) this.output.push(line);
      if (this.output.length > 400) this.output.splice(0, this.output.length - 400);
    };
    process.stdout?.on('data', keep);
    process.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => {
      process.once('exit', (code, signal) => {
        alive.delete(process);
        resolve({ code, signal });
      });
    });
  }

  get running(): boolean {
    return this.process.exitCode === null && this.process.signalCode === null;
  }

  tail(lines = 40): string {
    return this.output.slice(-lines).join('\n');
  }

  /** Sends `signal` and waits for the exit (SIGKILL after timeoutMs). */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 60_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (!this.running) return this.exited;
    this.process.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    const r = await Promise.race([this.exited, timedOut]);
    clearTimeout(timer);
    if (r === 'timeout') {
      this.process.kill('SIGKILL');
      throw new Error(`${this.label} did not exit within ${timeoutMs} ms of ${signal}:\n${this.tail()}`);
    }
    return r;
  }
}

export interface Service extends Child {
  name: ServiceName;
  url: string;
}

/** Counts of the events in the cluster's event store, per type. */
export type EventCounts = Record<string, number>;

export class Cluster {
  readonly id: string;
  readonly eventSchema: string;
  readonly readSchema: string;
  readonly checkpointSchema: string;
  readonly keySchema: string;
  readonly topic: string;
  readonly bucket: string;
  readonly env: NodeJS.ProcessEnv;
  /** The service last started under each name (service(name)); every replica: replicas(name). */
  readonly services = new Map<ServiceName, Service>();
  private readonly allReplicas = new Map<ServiceName, Service[]>();
  private readonly children = new Set<Child>();
  private readonly pool: Pool;

  private constructor(id?: string) {
    this.id = id ?? `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
    this.eventSchema = `vvd_${this.id}_events`;
    this.readSchema = `vvd_${this.id}_read`;
    this.checkpointSchema = `vvd_${this.id}_checkpoints`;
    this.keySchema = `vvd_${this.id}_keys`;
    this.topic = `vvd.${this.id}.events`;
    this.bucket = `vvd-${this.id}`;
    const modelDir = fs.existsSync(path.join(REPO, 'libs/classifier/models/DEFAULT'))
      ? undefined
      : path.join(REPO, 'libs/classifier/fixtures/tiny-model');
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VEGVISION_')));
    const stack = Object.fromEntries(Object.entries(process.env).filter(([k]) => /^VEGVISION_(DATABASE_URL|KAFKA_BROKERS|S3_)/.test(k)));
    this.env = {
      ...inherited,
      ...stack,
      VEGVISION_MODE: 'distributed',
      VEGVISION_LOG_LEVEL: 'warn',
      VEGVISION_EVENT_STORE_SCHEMA: this.eventSchema,
      VEGVISION_READ_MODEL_SCHEMA: this.readSchema,
      VEGVISION_CHECKPOINT_STORE_SCHEMA: this.checkpointSchema,
      VEGVISION_KEY_STORE_SCHEMA: this.keySchema,
      VEGVISION_TOPIC: this.topic,
      VEGVISION_S3_BUCKET: this.bucket,
      VEGVISION_KAFKA_CLIENT_ID: `vvd-${this.id}`,
      ...(modelDir ? { VEGVISION_MODEL_DIR: modelDir } : {}),
      // The child must not run under Jest's environment (NODE_ENV=test is harmless, JEST_* is noise).
      NODE_OPTIONS: '',
    };
    this.pool = new Pool({ connectionString: process.env['VEGVISION_DATABASE_URL'], max: 2, application_name: 'vegvision-distributed-e2e' });
    this.pool.on('error', () => undefined); // an idle client dropped during a PostgreSQL outage
  }

  /**
   * Removes what runs killed before their cleanup left behind (schemas vvd_*, topics and
   * groups vvd.*, buckets vvd-*), when older than maxAgeMs (ids start with a base-36 time).
   */
  static async removeStale(maxAgeMs = 60 * 60_000): Promise<void> {
    const stale = (id: string) => {
      const t = parseInt(id.slice(0, 8), 36);
      return Number.isFinite(t) && Date.now() - t > maxAgeMs;
    };
    const ids = new Set<string>();
    const probe = new Cluster();
    try {
      for (const r of await probe.sql<{ nspname: string }>(`SELECT nspname FROM pg_namespace WHERE nspname ~ '^vvd_[0-9a-z]+_(events|read|checkpoints|keys)$'`)) {
        ids.add(r.nspname.split('_')[1]);
      }
      const kafka = new Kafka({ clientId: 'vvd-cleanup', brokers: (process.env['VEGVISION_KAFKA_BROKERS'] ?? '').split(','), logLevel: logLevel.NOTHING });
      const admin = kafka.admin();
      await admin.connect();
      try {
        for (const t of await admin.listTopics()) if (/^vvd\.[0-9a-z]+\.events/.test(t)) ids.add(t.split('.')[1]);
      } finally {
        await admin.disconnect();
      }
    } finally {
      await probe.pool.end().catch(() => undefined);
    }
    for (const id of ids) {
      if (!stale(id)) continue;
      const old = new Cluster(id);
      await old.dispose();
    }
  }

  /** A fresh isolated deployment (its bucket created; services not started yet). */
  static async create(): Promise<Cluster> {
    const cluster = new Cluster();
    Cluster.live.add(cluster);
    await cluster.storage().ensureBucket();
    return cluster;
  }

  /** Clusters created and not disposed yet (afterAll disposes them whatever happened). */
  static readonly live = new Set<Cluster>();

  static async disposeAll(): Promise<void> {
    await Promise.all([...Cluster.live].map((c) => c.dispose()));
  }

  private storage(): S3ObjectStorage {
    return new S3ObjectStorage({
      endpoint: process.env['VEGVISION_S3_ENDPOINT'],
      region: process.env['VEGVISION_S3_REGION'] ?? 'us-east-1',
      bucket: this.bucket,
      accessKeyId: process.env['VEGVISION_S3_ACCESS_KEY_ID'] ?? '',
      secretAccessKey: process.env['VEGVISION_S3_SECRET_ACCESS_KEY'] ?? '',
    });
  }

  /** Starts a service as a child process on a free port and waits until /readyz answers 200. */
  async start(name: ServiceName, readyTimeoutMs = 180_000): Promise<Service> {
    const port = await freePort();
    const proc = spawn(process.execPath, [path.join(REPO, 'services', name, 'bin', `${name}.js`)], {
      cwd: REPO,
      env: { ...this.env, VEGVISION_PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const replicas = this.allReplicas.get(name) ?? [];
    const label = replicas.length ? `${name}#${replicas.length + 1}` : name;
    const service = Object.assign(new Child(label, proc), { name, url: `http://127.0.0.1:${port}` }) as Service;
    this.children.add(service);
    this.services.set(name, service);
    this.allReplicas.set(name, [...replicas, service]);
    await waitFor(
      `${name} /readyz 200`,
      async () => {
        if (!service.running) throw new Error(`${name} exited early:\n${service.tail()}`);
        const r = await fetch(`${service.url}/readyz`).catch(() => null);
        return r?.status === 200;
      },
      readyTimeoutMs,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n--- ${name} output ---\n${service.tail()}`);
    });
    return service;
  }

  /** Starts the five services in parallel. */
  async startAll(): Promise<void> {
    await Promise.all(SERVICES.map((s) => this.start(s)));
  }

  /** Every replica of `name` started so far that is still running, oldest first. */
  replicas(name: ServiceName): Service[] {
    return (this.allReplicas.get(name) ?? []).filter((s) => s.running);
  }

  /** Every service process still running. */
  running(): Service[] {
    return [...this.allReplicas.values()].flat().filter((s) => s.running);
  }

  private async withKafkaAdmin<T>(fn: (admin: ReturnType<Kafka['admin']>) => Promise<T>): Promise<T> {
    const kafka = new Kafka({
      clientId: `vvd-${this.id}-probe`,
      brokers: (process.env['VEGVISION_KAFKA_BROKERS'] ?? '').split(','),
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    try {
      return await fn(admin);
    } finally {
      await admin.disconnect();
    }
  }

  /** Messages ever written to `topic` (sum of its partitions' end offsets; 0 when it does not exist). */
  async topicMessages(topic = this.topic): Promise<number> {
    return this.withKafkaAdmin(async (admin) => {
      if (!(await admin.listTopics()).includes(topic)) return 0;
      return (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
    });
  }

  /** Partitions of the cluster's topic. */
  async topicPartitions(): Promise<number> {
    return this.withKafkaAdmin(async (admin) => (await admin.fetchTopicMetadata({ topics: [this.topic] })).topics[0].partitions.length);
  }

  /** Messages of the topic not committed yet by the consumer group of `role` (classifier, colour, projector). */
  async lag(role: 'classifier' | 'colour' | 'projector'): Promise<number> {
    return this.withKafkaAdmin(async (admin) => {
      const [ends, committed] = await Promise.all([
        admin.fetchTopicOffsets(this.topic),
        admin.fetchOffsets({ groupId: `${this.topic}.${role}`, topics: [this.topic] }),
      ]);
      const at = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
      return ends.reduce((n, p) => {
        const c = at.get(p.partition) ?? -1;
        return n + Number(p.high) - (c >= 0 ? c : Number(p.low));
      }, 0);
    });
  }

  service(name: ServiceName): Service {
    const s = this.services.get(name);
    if (!s) throw new Error(`${name} not started`);
    return s;
  }

  get api(): string {
    return this.service('api').url;
  }

  /** `vegvision import <dir> [args]` as a child process; resolve `exited` for its outcome. */
  startImport(dir: string, ...args: string[]): Child {
    const proc = spawn(process.execPath, [path.join(REPO, 'services/vegvision/bin/vegvision.js'), 'import', dir, ...args], {
      cwd: REPO,
      env: this.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const child = new Child('vegvision import', proc);
    this.children.add(child);
    return child;
  }

  /** Runs the import to its end; throws with the output unless it exits 0. */
  async runImport(dir: string, ...args: string[]): Promise<string> {
    const child = this.startImport(dir, ...args);
    const { code, signal } = await child.exited;
    const output = child.output.join('\n');
    if (code !== 0) throw new Error(`vegvision import exited ${code ?? signal}:\n${child.tail(60)}`);
    return output;
  }

  async sql<R = Record<string, unknown>>(text: string, values?: unknown[]): Promise<R[]> {
    return (await this.pool.query<R>(text, values)).rows;
  }

  async eventCounts(): Promise<EventCounts> {
    const rows = await this.sql<{ type: string; n: number }>(
      `SELECT type, count(*)::int AS n FROM "${this.eventSchema}".events GROUP BY type`,
    );
    return Object.fromEntries(rows.map((r) => [r.type, r.n]));
  }

  async eventCount(type: string): Promise<number> {
    return (await this.eventCounts().catch(() => ({}) as EventCounts))[type] ?? 0;
  }

  /** Read-model rows: images, ready images, classification history rows. */
  async readModelCounts(): Promise<{ images: number; ready: number; distinctImages: number; classifications: number }> {
    const [images] = await this.sql<{ images: number; distinct_images: number }>(
      `SELECT count(*)::int AS images, count(DISTINCT image_id)::int AS distinct_images FROM "${this.readSchema}".images`,
    );
    const [classifications] = await this.sql<{ n: number }>(`SELECT count(*)::int AS n FROM "${this.readSchema}".classifications`);
    const ready = await this.readyCount();
    return { images: images.images, ready, distinctImages: images.distinct_images, classifications: classifications.n };
  }

  /** Images of the read model with a classification and colours projected. */
  async readyCount(): Promise<number> {
    const [r] = await this.sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM "${this.readSchema}".images WHERE status = 'ready'`,
    );
    return r.n;
  }

  private disposed?: Promise<void>;

  /** Kills every child still running (SIGKILL), then removes schemas, topics, groups and bucket. */
  dispose(): Promise<void> {
    this.disposed ??= this.disposeNow();
    return this.disposed;
  }

  private async disposeNow(): Promise<void> {
    for (const child of this.children) if (child.running) child.process.kill('SIGKILL');
    await Promise.all([...this.children].map((c) => c.exited));
    const problems: string[] = [];
    const attempt = async (what: string, fn: () => Promise<unknown>) => {
      try {
        await fn();
      } catch (error) {
        problems.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
      }
    };
    await attempt('drop schemas', () =>
      this.pool.query(
        `DROP SCHEMA IF EXISTS "${this.eventSchema}" CASCADE; DROP SCHEMA IF EXISTS "${this.readSchema}" CASCADE; DROP SCHEMA IF EXISTS "${this.checkpointSchema}" CASCADE; DROP SCHEMA IF EXISTS "${this.keySchema}" CASCADE`,
      ),
    );
    await attempt('delete topics and groups', async () => {
      const kafka = new Kafka({
        clientId: `vvd-${this.id}-cleanup`,
        brokers: (process.env['VEGVISION_KAFKA_BROKERS'] ?? '').split(','),
        logLevel: logLevel.NOTHING,
      });
      const admin = kafka.admin();
      await admin.connect();
      try {
        const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith(`${this.topic}.`));
        if (groups.length) await admin.deleteGroups(groups).catch(() => undefined);
        const topics = (await admin.listTopics()).filter((t) => t === this.topic || t.startsWith(`${this.topic}.`));
        if (topics.length) await admin.deleteTopics({ topics });
      } finally {
        await admin.disconnect();
      }
    });
    await attempt('delete bucket', async () => {
      const storage = this.storage();
      try {
        if (!(await storage.client.send(new HeadBucketCommand({ Bucket: this.bucket })).then(() => true, () => false))) return;
        const keys: string[] = [];
        for await (const key of storage.list()) keys.push(key);
        for (let i = 0; i < keys.length; i += 16) await Promise.all(keys.slice(i, i + 16).map((k) => storage.delete(k)));
        await storage.client.send(new DeleteBucketCommand({ Bucket: this.bucket }));
      } finally {
        await storage.close();
      }
    });
    await this.pool.end().catch(() => undefined);
    Cluster.live.delete(this);
    if (problems.length) process.stderr.write(`cluster ${this.id} cleanup: ${problems.join('; ')}\n`);
  }
}
