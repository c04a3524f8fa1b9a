// One configuration schema for every mode. Embedded (default): file event store, in-process
// bus, local directory storage, SQLite read model, all roles in one process. Distributed:
// the same keys select PostgreSQL/KurrentDB, Kafka, S3 and PostgreSQL, and each service runs
// the roles it is given.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';

export const ROLES = ['api', 'relay', 'classifier', 'colour', 'projector'] as const;
export type Role = (typeof ROLES)[number];

const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** An IP, an IP/prefix, or one of Express's named ranges. */
function isProxyAddress(entry: string): boolean {
  if (NAMED_RANGES.has(entry)) return true;
  const [ip, prefix, extra] = entry.split('/');
  const family = isIP(ip);
  if (!family || extra !== undefined) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

const intFrom = (def: number, min = 0) => z.coerce.number().int().min(min).default(def);

const schema = z
  .object({
    mode: z.enum(['embedded', 'distributed']).default('embedded'),
    roles: z
      .string()
      .default(ROLES.join(','))
      .transform((s, ctx) => {
        const roles = s.split(',').map((r) => r.trim()).filter(Boolean);
        for (const r of roles) {
          if (!(ROLES as readonly string[]).includes(r)) {
            ctx.addIssue({ code: 'custom', message: `unknown role "${r}" (roles: ${ROLES.join(', ')})` });
          }
        }
        return roles as Role[];
      }),
    dataDir: z.string().default('.vegvision'),
    host: z.string().default('127.0.0.1'),
    port: intFrom(8080),
    publicUrl: z.string().url().optional(),
    eventStore: z.enum(['file', 'postgres', 'kurrentdb']).optional(),
    eventStorePath: z.string().optional(),
    eventStoreSchema: z.string().default('vegvision_events'),
    kurrentdbUrl: z.string().optional(),
    databaseUrl: z.string().optional(),
    bus: z.enum(['in-process', 'kafka']).optional(),
    kafkaBrokers: z.string().optional(),
    kafkaClientId: z.string().default('vegvision'),
    // Partitions of the topic: at most this many replicas of one consumer role get work.
    kafkaPartitions: intFrom(12, 1),
    topic: z.string().default('vegvision.events'),
    storage: z.enum(['local', 's3']).optional(),
    storageDir: z.string().optional(),
    s3Endpoint: z.string().optional(),
    s3Region: z.string().default('us-east-1'),
    s3Bucket: z.string().default('vegvision'),
    s3AccessKeyId: z.string().optional(),
    s3SecretAccessKey: z.string().optional(),
    readModel: z.enum(['sqlite', 'postgres']).optional(),
    readModelPath: z.string().optional(),
    readModelSchema: z.string().default('vegvision_read'),
    checkpointStore: z.enum(['file', 'sqlite', 'postgres']).optional(),
    checkpointStorePath: z.string().optional(),
    checkpointStoreSchema: z.string().default('vegvision_checkpoints'),
    keyStore: z.enum(['file', 'sqlite', 'postgres']).optional(),
    keyStorePath: z.string().optional(),
    keyStoreSchema: z.string().default('vegvision_keys'),
    modelDir: z.string().optional(),
    modelsDir: z.string().optional(),
    // Threads of the labelling pool (decode, resize, classify, colour); 0: one per core but one.
    labelThreads: intFrom(0),
    signingSecret: z.string().min(16).optional(),
    adminToken: z.string().min(16).optional(),
    /** Editors who may correct and delete: comma-separated "name:token" (or a bare token, named "editor"). */
    editorTokens: z.string().optional(),
    maxUploadBytes: intFrom(25 * 1024 * 1024, 1),
    maxPixels: intFrom(40_000_000, 1),
    linkTtlSeconds: intFrom(300, 1),
    /** Uploads per minute per client address (token bucket, burst = the same number); 0 disables. */
    uploadRatePerMinute: intFrom(60, 0),
    /** Uploads in progress at once, over all clients (each may buffer up to maxUploadBytes); past it 503 + Retry-After; 0 disables. */
    maxConcurrentUploads: intFrom(16, 0),
    /** An upload whose body has not fully arrived after this long is answered 408 and its connection closed. */
    uploadTimeoutSeconds: intFrom(60, 1),
    /** Node's server.requestTimeout (whole request received) and server.headersTimeout. */
    requestTimeoutSeconds: intFrom(120, 1),
    headersTimeoutSeconds: intFrom(20, 1),
    /**
     * The orphan sweeper never removes an original or a temporary file younger than this: it must
     * exceed the longest time between storing an original and recording its upload in another process.
     */
    orphanGraceSeconds: intFrom(3600, 0),
    /** Time between two orphan sweeps (one runs at start-up); 0 = only the one at start-up. */
    orphanSweepIntervalSeconds: intFrom(3600, 0),
    corsOrigins: z.string().default(''),
    /**
     * Which reverse proxies may name the client in X-Forwarded-For (the per-client upload rate
     * then keys on that client): '' trusts none (the socket address counts), a number trusts that
     * many hops, or a comma-separated list of proxy addresses/CIDRs and loopback, linklocal,
     * uniquelocal.
     */
    trustProxy: z
      .string()
      .default('')
      .transform((s, ctx): false | number | string[] => {
        const text = s.trim();
        if (text === '') return false;
        if (/^\d+$/.test(text)) {
          const hops = Number(text);
          if (hops < 1 || hops > 16) ctx.addIssue({ code: 'custom', message: `a hop count lies in 1..16, got ${text}` });
          return hops;
        }
        const entries = text.split(',').map((e) => e.trim()).filter(Boolean);
        for (const e of entries) {
          if (!isProxyAddress(e)) {
            ctx.addIssue({
              code: 'custom',
              message: `"${e}" is not a proxy address: give IPs or CIDRs (10.0.0.0/8), loopback, linklocal, uniquelocal, or a hop count; trusting every address would let any client pick its own`,
            });
          }
        }
        return entries;
      }),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .strict();

export type RawConfig = z.input<typeof schema>;

export interface VegvisionConfig {
  mode: 'embedded' | 'distributed';
  roles: Role[];
  dataDir: string;
  http: {
    host: string;
    port: number;
    publicUrl: string;
    corsOrigins: string[];
    /** Express's 'trust proxy': false (none), a hop count, or proxy addresses/CIDRs. */
    trustProxy: false | number | string[];
  };
  eventStore:
    | { kind: 'file'; path: string }
    | { kind: 'postgres'; url: string; schema: string }
    | { kind: 'kurrentdb'; connectionString: string };
  bus: { kind: 'in-process' } | { kind: 'kafka'; brokers: string[]; clientId: string; partitions: number };
  topic: string;
  storage:
    | { kind: 'local'; dir: string; publicBaseUrl: string; signingSecret: string }
    | {
        kind: 's3';
        endpoint?: string;
        region: string;
        bucket: string;
        accessKeyId: string;
        secretAccessKey: string;
        forcePathStyle: boolean;
      };
  readModel: { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string; schema: string };
  /** Where the relay keeps its position in the event log (file: a directory; sqlite: a database file). */
  checkpointStore: { kind: 'file'; dir: string } | { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string; schema: string };
  /**
   * Where the per-image data keys live that seal the client's file name in the event log
   * (crypto-shredding: a deletion destroys the key). file: a directory; sqlite: a database file.
   */
  keyStore: { kind: 'file'; dir: string } | { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string; schema: string };
  /** modelDir: the active model (default: the models dir's DEFAULT); modelsDir: every known version. */
  /**
   * labelThreads: worker threads of the labelling pool, one intra-op thread each (0: one per
   * core but one, at least one: os.availableParallelism() - 1).
   */
  classifier: { modelDir?: string; modelsDir?: string; labelThreads: number };
  limits: {
    maxUploadBytes: number;
    maxPixels: number;
    linkTtlSeconds: number;
    /** Uploads per minute per client address; 0 = unlimited. */
    uploadRatePerMinute: number;
    /** Uploads in progress at once over all clients; 0 = unlimited. */
    maxConcurrentUploads: number;
    uploadTimeoutMs: number;
    requestTimeoutMs: number;
    /** Never above requestTimeoutMs (Node requires headersTimeout <= requestTimeout). */
    headersTimeoutMs: number;
  };
  /** The orphan sweeper (originals no event refers to, temporary files of interrupted writes). */
  orphans: { graceMs: number; sweepIntervalMs: number };
  adminToken?: string;
  /**
   * Credentials of the editor API (corrections, deletion): each a name (recorded as who acted)
   * and a bearer token. The admin token is an editor too, named "admin". Empty: editing is off.
   */
  editors: { name: string; token: string }[];
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

export class ConfigError extends Error {
  readonly code = 'invalid_configuration';
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Maps VEGVISION_* environment variables (e.g. VEGVISION_KAFKA_BROKERS) to raw keys. */
export function rawFromEnv(env: NodeJS.ProcessEnv = process.env): RawConfig {
  const raw: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const envName = 'VEGVISION_' + key.replace(/[A-Z]/g, (c) => '_' + c).toUpperCase();
    const value = env[envName];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  if (!raw['kurrentdbUrl'] && env['KURRENTDB_URL']) raw['kurrentdbUrl'] = env['KURRENTDB_URL'];
  return raw as RawConfig;
}

const EDITOR_NAME_RE = /^[A-Za-z0-9._@-]{1,100}$/;

/** VEGVISION_EDITOR_TOKENS: "name:token,name2:token2" or one bare token (named "editor"); tokens 16+ characters. */
export function parseEditors(raw: string | undefined): { name: string; token: string }[] {
  if (!raw || raw.trim() === '') return [];
  const editors = raw.split(',').map((entry) => {
    const item = entry.trim();
    const colon = item.indexOf(':');
    const [name, token] = colon < 0 ? ['editor', item] : [item.slice(0, colon), item.slice(colon + 1)];
    if (!EDITOR_NAME_RE.test(name)) throw new ConfigError(`editorTokens: "${name.slice(0, 40)}" is not an editor name (letters, digits, ._@-, at most 100)`);
    if (token.length < 16) throw new ConfigError(`editorTokens: the token of "${name}" is shorter than 16 characters`);
    if (name === 'admin') throw new ConfigError('editorTokens: "admin" is the name of the admin token');
    return { name, token };
  });
  const names = new Set(editors.map((e) => e.name));
  if (names.size !== editors.length) throw new ConfigError('editorTokens: every editor needs a name of its own');
  return editors;
}

function required(value: string | undefined, name: string, why: string): string {
  if (!value) throw new ConfigError(`${name} is required ${why}`);
  return value;
}

/** Reads a persisted secret from the data dir, creating it on first use (embedded mode). */
function persistedSecret(dataDir: string, name: string): string {
  const file = path.join(dataDir, name);
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    fs.mkdirSync(dataDir, { recursive: true });
    const secret = randomBytes(32).toString('hex');
    fs.writeFileSync(file, secret, { mode: 0o600, flag: 'wx' });
    return secret;
  }
}

export function loadConfig(overrides: RawConfig = {}, env: NodeJS.ProcessEnv = process.env): VegvisionConfig {
  const parsed = schema.safeParse({ ...rawFromEnv(env), ...overrides });
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  const distributed = c.mode === 'distributed';
  const dataDir = path.resolve(c.dataDir);
  const publicUrl = (c.publicUrl ?? `http://${c.host === '0.0.0.0' ? '127.0.0.1' : c.host}:${c.port}`).replace(/\/$/, '');
  const why = (what: string) => `when ${what} (set it in the environment as VEGVISION_...)`;

  const eventStoreKind = c.eventStore ?? (distributed ? 'postgres' : 'file');
  const eventStore: VegvisionConfig['eventStore'] =
    eventStoreKind === 'file'
      ? { kind: 'file', path: path.resolve(c.eventStorePath ?? path.join(dataDir, 'event-store')) }
      : eventStoreKind === 'postgres'
        ? { kind: 'postgres', url: required(c.databaseUrl, 'databaseUrl', why('eventStore=postgres')), schema: c.eventStoreSchema }
        : { kind: 'kurrentdb', connectionString: required(c.kurrentdbUrl, 'kurrentdbUrl', why('eventStore=kurrentdb')) };

  const busKind = c.bus ?? (distributed ? 'kafka' : 'in-process');
  const bus: VegvisionConfig['bus'] =
    busKind === 'in-process'
      ? { kind: 'in-process' }
      : {
          kind: 'kafka',
          brokers: required(c.kafkaBrokers, 'kafkaBrokers', why('bus=kafka')).split(',').map((b) => b.trim()),
          clientId: c.kafkaClientId,
          partitions: c.kafkaPartitions,
        };

  const storageKind = c.storage ?? (distributed ? 's3' : 'local');
  const storage: VegvisionConfig['storage'] =
    storageKind === 'local'
      ? {
          kind: 'local',
          dir: path.resolve(c.storageDir ?? path.join(dataDir, 'objects')),
          // Relative links unless a public URL is configured (see LocalObjectStorage).
          publicBaseUrl: c.publicUrl ? publicUrl : '',
          signingSecret: c.signingSecret ?? persistedSecret(dataDir, 'signing-secret'),
        }
      : {
          kind: 's3',
          endpoint: c.s3Endpoint,
          region: c.s3Region,
          bucket: c.s3Bucket,
          accessKeyId: required(c.s3AccessKeyId, 's3AccessKeyId', why('storage=s3')),
          secretAccessKey: required(c.s3SecretAccessKey, 's3SecretAccessKey', why('storage=s3')),
          forcePathStyle: true,
        };

  const readModelKind = c.readModel ?? (distributed ? 'postgres' : 'sqlite');
  const readModel: VegvisionConfig['readModel'] =
    readModelKind === 'sqlite'
      ? { kind: 'sqlite', path: path.resolve(c.readModelPath ?? path.join(dataDir, 'read-model.sqlite')) }
      : { kind: 'postgres', url: required(c.databaseUrl, 'databaseUrl', why('readModel=postgres')), schema: c.readModelSchema };

  const checkpointKind = c.checkpointStore ?? (distributed ? 'postgres' : 'file');
  const checkpointStore: VegvisionConfig['checkpointStore'] =
    checkpointKind === 'file'
      ? { kind: 'file', dir: path.resolve(c.checkpointStorePath ?? path.join(dataDir, 'checkpoints')) }
      : checkpointKind === 'sqlite'
        ? { kind: 'sqlite', path: path.resolve(c.checkpointStorePath ?? path.join(dataDir, 'checkpoints.sqlite')) }
        : { kind: 'postgres', url: required(c.databaseUrl, 'databaseUrl', why('checkpointStore=postgres')), schema: c.checkpointStoreSchema };

  const keyKind = c.keyStore ?? (distributed ? 'postgres' : embeddedKeyStoreKind(dataDir, c.keyStorePath));
  const keyStore: VegvisionConfig['keyStore'] =
    keyKind === 'file'
      ? { kind: 'file', dir: path.resolve(c.keyStorePath ?? path.join(dataDir, 'keys')) }
      : keyKind === 'sqlite'
        ? { kind: 'sqlite', path: path.resolve(c.keyStorePath ?? path.join(dataDir, 'keys.sqlite')) }
        : { kind: 'postgres', url: required(c.databaseUrl, 'databaseUrl', why('keyStore=postgres')), schema: c.keyStoreSchema };

  if (distributed && (eventStore.kind === 'file' || bus.kind === 'in-process' || readModel.kind === 'sqlite')) {
    throw new ConfigError(
      'distributed mode needs shared infrastructure: eventStore postgres|kurrentdb, bus kafka, readModel postgres',
    );
  }

  return {
    mode: c.mode,
    roles: c.roles,
    dataDir,
    http: {
      host: c.host,
      port: c.port,
      publicUrl,
      corsOrigins: c.corsOrigins.split(',').map((o) => o.trim()).filter(Boolean),
      trustProxy: c.trustProxy,
    },
    eventStore,
    bus,
    topic: c.topic,
    storage,
    readModel,
    checkpointStore,
    keyStore,
    classifier: {
      modelDir: c.modelDir ? path.resolve(c.modelDir) : undefined,
      modelsDir: c.modelsDir ? path.resolve(c.modelsDir) : undefined,
      labelThreads: c.labelThreads,
    },
    limits: {
      maxUploadBytes: c.maxUploadBytes,
      maxPixels: c.maxPixels,
      linkTtlSeconds: c.linkTtlSeconds,
      uploadRatePerMinute: c.uploadRatePerMinute,
      maxConcurrentUploads: c.maxConcurrentUploads,
      uploadTimeoutMs: c.uploadTimeoutSeconds * 1000,
      requestTimeoutMs: c.requestTimeoutSeconds * 1000,
      headersTimeoutMs: Math.min(c.headersTimeoutSeconds, c.requestTimeoutSeconds) * 1000,
    },
    orphans: { graceMs: c.orphanGraceSeconds * 1000, sweepIntervalMs: c.orphanSweepIntervalSeconds * 1000 },
    adminToken: c.adminToken,
    editors: parseEditors(c.editorTokens),
    logLevel: c.logLevel,
  };
}

/**
 * The embedded key store when none is configured: SQLite (`<dataDir>/keys.sqlite`: one insert and
 * one WAL fsync per key, where the file store writes, fsyncs and links a key file and fsyncs its
 * directory), except in a data dir whose keys already live in files (`<dataDir>/keys`, made before
 * SQLite was the default) or with a key store path given (which used to name the key directory):
 * there the keys stay files, or every sealed file name would read as shredded.
 */
function embeddedKeyStoreKind(dataDir: string, keyStorePath: string | undefined): 'file' | 'sqlite' {
  if (keyStorePath !== undefined || fs.existsSync(path.join(dataDir, 'keys'))) return 'file';
  return 'sqlite';
}
