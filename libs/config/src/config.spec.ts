import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from './config';

describe('configuration', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vv-config-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('defaults to the embedded mode with every role and a persisted signing secret', () => {
    const c = loadConfig({}, { VEGVISION_DATA_DIR: dir });
    expect(c.mode).toBe('embedded');
    expect(c.roles).toEqual(['api', 'relay', 'classifier', 'colour', 'projector']);
    expect(c.eventStore).toEqual({ kind: 'file', path: path.join(dir, 'event-store') });
    expect(c.bus).toEqual({ kind: 'in-process' });
    expect(c.readModel).toEqual({ kind: 'sqlite', path: path.join(dir, 'read-model.sqlite') });
    expect(c.checkpointStore).toEqual({ kind: 'file', dir: path.join(dir, 'checkpoints') });
    expect(c.keyStore).toEqual({ kind: 'sqlite', path: path.join(dir, 'keys.sqlite') });
    expect(c.storage.kind).toBe('local');
    const again = loadConfig({}, { VEGVISION_DATA_DIR: dir });
    expect(again.storage).toEqual(c.storage);
  });

  it('switches to the distributed adapters by configuration only', () => {
    const c = loadConfig(
      {},
      {
        VEGVISION_MODE: 'distributed',
        VEGVISION_DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db',
        VEGVISION_KAFKA_BROKERS: '127.0.0.1:9092, 127.0.0.1:9093',
        VEGVISION_S3_ENDPOINT: 'http://127.0.0.1:8333',
        VEGVISION_S3_ACCESS_KEY_ID: 'k',
        VEGVISION_S3_SECRET_ACCESS_KEY: 's',
        VEGVISION_ROLES: 'classifier',
        VEGVISION_DATA_DIR: dir,
      },
    );
    expect(c.eventStore.kind).toBe('postgres');
    expect(c.bus).toEqual({ kind: 'kafka', brokers: ['127.0.0.1:9092', '127.0.0.1:9093'], clientId: 'vegvision', partitions: 12 });
    expect(c.storage.kind).toBe('s3');
    expect(c.readModel.kind).toBe('postgres');
    expect(c.checkpointStore).toEqual({ kind: 'postgres', url: 'postgres://u:p@127.0.0.1:5432/db', schema: 'vegvision_checkpoints' });
    expect(c.keyStore).toEqual({ kind: 'postgres', url: 'postgres://u:p@127.0.0.1:5432/db', schema: 'vegvision_keys' });
    expect(c.roles).toEqual(['classifier']);
  });

  it('selects the checkpoint store on its own (sqlite file, schema)', () => {
    const c = loadConfig({}, { VEGVISION_DATA_DIR: dir, VEGVISION_CHECKPOINT_STORE: 'sqlite' });
    expect(c.checkpointStore).toEqual({ kind: 'sqlite', path: path.join(dir, 'checkpoints.sqlite') });
    const p = loadConfig({}, { VEGVISION_DATA_DIR: dir, VEGVISION_CHECKPOINT_STORE: 'postgres', VEGVISION_DATABASE_URL: 'postgres://h/db', VEGVISION_CHECKPOINT_STORE_SCHEMA: 'cp' });
    expect(p.checkpointStore).toEqual({ kind: 'postgres', url: 'postgres://h/db', schema: 'cp' });
    expect(() => loadConfig({}, { VEGVISION_DATA_DIR: dir, VEGVISION_CHECKPOINT_STORE: 'postgres' })).toThrow(/databaseUrl is required when checkpointStore=postgres/);
    expect(() => loadConfig({}, { VEGVISION_DATA_DIR: dir, VEGVISION_CHECKPOINT_STORE: 'redis' })).toThrow(ConfigError);
  });

  it('keeps the file key store in a data dir whose keys are files already', () => {
    fs.mkdirSync(path.join(dir, 'keys'));
    expect(loadConfig({}, { VEGVISION_DATA_DIR: dir }).keyStore).toEqual({ kind: 'file', dir: path.join(dir, 'keys') });
    expect(loadConfig({}, { VEGVISION_DATA_DIR: dir, VEGVISION_KEY_STORE: 'sqlite' }).keyStore).toEqual({ kind: 'sqlite', path: path.join(dir, 'keys.sqlite') });
  });

  it('selects the key store on its own (directory, sqlite file, schema)', () => {
    const f = loadConfig({}, { VEGVISION_DATA_DIR: dir, VEGVISION_KEY_STORE_PATH: path.join(dir, 'elsewhere') });
    expect(f.keyStore).toEqual({ kind: 'file', dir: path.join(dir, 'elsewhere') });
    const c = loadConfig({}, { VEGVISION_DATA_DIR: dir, VEGVISION_KEY_STORE: 'sqlite' });
    expect(c.keyStore).toEqual({ kind: 'sqlite', path: path.join(dir, 'keys.sqlite') });
    const p = loadConfig({}, { VEGVISION_DATA_DIR: dir, VEGVISION_KEY_STORE: 'postgres', VEGVISION_DATABASE_URL: 'postgres://h/db', VEGVISION_KEY_STORE_SCHEMA: 'k' });
    expect(p.keyStore).toEqual({ kind: 'postgres', url: 'postgres://h/db', schema: 'k' });
    expect(p.checkpointStore.kind).toBe('file'); // each store is chosen on its own
    expect(() => loadConfig({}, { VEGVISION_DATA_DIR: dir, VEGVISION_KEY_STORE: 'postgres' })).toThrow(/databaseUrl is required when keyStore=postgres/);
    expect(() => loadConfig({}, { VEGVISION_DATA_DIR: dir, VEGVISION_KEY_STORE: 'vault' })).toThrow(ConfigError);
  });

  it('explains what is wrong', () => {
    expect(() => loadConfig({}, { VEGVISION_PORT: 'abc', VEGVISION_DATA_DIR: dir })).toThrow(ConfigError);
    expect(() => loadConfig({}, { VEGVISION_ROLES: 'api,cook', VEGVISION_DATA_DIR: dir })).toThrow(/unknown role "cook"/);
    expect(() => loadConfig({}, { VEGVISION_MODE: 'distributed', VEGVISION_DATA_DIR: dir })).toThrow(/databaseUrl is required/);
  });
  it('reads the abuse limits (rate, timeouts) from the environment, with safe defaults', () => {
    const d = loadConfig({}, { VEGVISION_DATA_DIR: dir });
    expect(d.limits).toMatchObject({
      uploadRatePerMinute: 60,
      uploadTimeoutMs: 60_000,
      requestTimeoutMs: 120_000,
      headersTimeoutMs: 20_000,
    });
    const c = loadConfig(
      {},
      {
        VEGVISION_DATA_DIR: dir,
        VEGVISION_UPLOAD_RATE_PER_MINUTE: '0',
        VEGVISION_UPLOAD_TIMEOUT_SECONDS: '5',
        VEGVISION_REQUEST_TIMEOUT_SECONDS: '10',
        VEGVISION_HEADERS_TIMEOUT_SECONDS: '30',
      },
    );
    // headersTimeout never exceeds requestTimeout (Node requires it).
    expect(c.limits).toMatchObject({ uploadRatePerMinute: 0, uploadTimeoutMs: 5000, requestTimeoutMs: 10_000, headersTimeoutMs: 10_000 });
    expect(() => loadConfig({}, { VEGVISION_DATA_DIR: dir, VEGVISION_UPLOAD_RATE_PER_MINUTE: '-1' })).toThrow(ConfigError);
    expect(() => loadConfig({}, { VEGVISION_DATA_DIR: dir, VEGVISION_UPLOAD_TIMEOUT_SECONDS: '0' })).toThrow(ConfigError);
  });

  it('reads the orphan sweeper settings, an hour each by default', () => {
    expect(loadConfig({}, { VEGVISION_DATA_DIR: dir }).orphans).toEqual({ graceMs: 3_600_000, sweepIntervalMs: 3_600_000 });
    const c = loadConfig({}, { VEGVISION_DATA_DIR: dir, VEGVISION_ORPHAN_GRACE_SECONDS: '0', VEGVISION_ORPHAN_SWEEP_INTERVAL_SECONDS: '30' });
    expect(c.orphans).toEqual({ graceMs: 0, sweepIntervalMs: 30_000 });
    expect(() => loadConfig({}, { VEGVISION_DATA_DIR: dir, VEGVISION_ORPHAN_GRACE_SECONDS: '-1' })).toThrow(ConfigError);
    expect(() => loadConfig({}, { VEGVISION_DATA_DIR: dir, VEGVISION_ORPHAN_SWEEP_INTERVAL_SECONDS: 'soon' })).toThrow(ConfigError);
  });

  it('trusts X-Forwarded-For only from the proxies it is told about', () => {
    const trust = (value?: string) => loadConfig({}, { VEGVISION_DATA_DIR: dir, ...(value === undefined ? {} : { VEGVISION_TRUST_PROXY: value }) }).http.trustProxy;
    expect(trust()).toBe(false);
    expect(trust('')).toBe(false);
    expect(trust('1')).toBe(1);
    expect(trust('loopback, 10.0.0.0/8,fd00::/8, 192.168.1.7')).toEqual(['loopback', '10.0.0.0/8', 'fd00::/8', '192.168.1.7']);
    for (const bad of ['true', '*', '0', '99', '10.0.0.0/33', 'proxy.example.org', '10.0.0.1/8/1']) {
      expect(() => trust(bad)).toThrow(ConfigError);
    }
    expect(() => trust('true')).toThrow(/trusting every address would let any client pick its own/);
  });

  it('reads editor credentials: named tokens or one bare token; refuses short tokens and duplicate names', () => {
    expect(loadConfig({}, { VEGVISION_DATA_DIR: dir }).editors).toEqual([]);
    expect(loadConfig({}, { VEGVISION_DATA_DIR: dir, VEGVISION_EDITOR_TOKENS: 'e'.repeat(16) }).editors).toEqual([{ name: 'editor', token: 'e'.repeat(16) }]);
    expect(
      loadConfig({}, { VEGVISION_DATA_DIR: dir, VEGVISION_EDITOR_TOKENS: `ana:${'a'.repeat(20)}, bo:${'b'.repeat(16)}` }).editors,
    ).toEqual([
      { name: 'ana', token: 'a'.repeat(20) },
      { name: 'bo', token: 'b'.repeat(16) },
    ]);
    expect(() => loadConfig({}, { VEGVISION_DATA_DIR: dir, VEGVISION_EDITOR_TOKENS: 'ana:short' })).toThrow(ConfigError);
    expect(() => loadConfig({}, { VEGVISION_DATA_DIR: dir, VEGVISION_EDITOR_TOKENS: `a b:${'a'.repeat(16)}` })).toThrow(/editor name/);
    expect(() => loadConfig({}, { VEGVISION_DATA_DIR: dir, VEGVISION_EDITOR_TOKENS: `ana:${'a'.repeat(16)},ana:${'b'.repeat(16)}` })).toThrow(/name of its own/);
    expect(() => loadConfig({}, { VEGVISION_DATA_DIR: dir, VEGVISION_EDITOR_TOKENS: `admin:${'a'.repeat(16)}` })).toThrow(/admin/);
  });
});
