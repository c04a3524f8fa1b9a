// Embedded-mode object storage: a directory on the local filesystem.
//
// Layout: key "a/b/c" is the file <dir>/a/b/c@obj. Directory names are key segments (which never
// contain '@'), file names end in "@obj", so a key "a" and a key "a/b" can coexist. Each file is
// an envelope: magic "VVOB", version 1, uint32 BE length of a JSON metadata block
// ({"contentType": ...}), the metadata, then the bytes. Body and content type are therefore
// replaced together by one rename: put() writes a temp file in the same directory, fsyncs it and
// renames it over the old file, so a reader sees the old object or the new one, never a mix.
// A process killed mid-put() leaves its temp file (`<name>@tmp.<uuid>`): removeIncompleteWrites
// removes those older than a given time (the orphan sweeper calls it).
//
// Presigned links point at the API (`${publicBaseUrl}/api/objects/<key>?expires=&signature=`),
// signed with HMAC-SHA256(signingSecret, key + "\n" + expires); the route checks them with
// verifyLocalSignature / serveLocalObject.
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { constants as fsConstants, type Dirent } from 'node:fs';
import { access, mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import {
  assertValidCutoff,
  assertValidExpiry,
  assertValidKey,
  assertValidPrefix,
  InvalidStorageArgumentError,
  ObjectNotFoundError,
  type ListedObject,
  type ObjectInfo,
  type ObjectStorage,
} from './storage.port';

export interface LocalObjectStorageOptions {
  /** Root directory (created on demand). */
  dir: string;
  /** Public base URL of the API serving `/api/objects/...`, e.g. "http://localhost:3000". */
  publicBaseUrl: string;
  /** HMAC secret for presigned links: at least 16 characters. */
  signingSecret: string;
}

const MAGIC = Buffer.from('VVOB', 'ascii');
const VERSION = 1;
const HEADER_FIXED = MAGIC.length + 1 + 4;
const OBJ_SUFFIX = '@obj';
/** put()'s temp file next to the object: `<name>@tmp.<uuid>`. */
const TMP_RE = /@tmp\.[0-9a-f-]{36}$/;
const CONTENT_TYPE_RE = /^[\x21-\x7e][\x20-\x7e]{0,254}$/;

interface Meta {
  contentType: string;
}

/** The object plus its content type, read in one go (one file, one version). */
export interface StoredObject {
  body: Buffer;
  contentType: string;
}

/** "a/b c" → "a/b%20c": each segment URI-encoded, slashes kept. */
export const encodeKeyPath = (key: string): string => key.split('/').map(encodeURIComponent).join('/');

const sign = (secret: string, key: string, expires: number): string =>
  createHmac('sha256', secret).update(`${key}\n${expires}`).digest('hex');

const nowSeconds = () => Math.floor(Date.now() / 1000);

/**
 * Checks a local presigned link: true when `signature` is the HMAC of key + expiry under `secret`
 * (compared in constant time) and `now` (unix seconds) is not past `expires`.
 */
export function verifyLocalSignature(
  secret: string,
  key: string,
  expires: string | number,
  signature: string,
  now: number = nowSeconds(),
): boolean {
  const exp = typeof expires === 'number' ? expires : /^\d{1,12}$/.test(expires) ? Number(expires) : NaN;
  if (!Number.isSafeInteger(exp) || typeof signature !== 'string' || !/^[0-9a-f]{64}$/i.test(signature)) return false;
  try {
    assertValidKey(key);
  } catch {
    return false;
  }
  const expected = Buffer.from(sign(secret, key, exp), 'hex');
  const given = Buffer.from(signature, 'hex');
  const valid = given.length === expected.length && timingSafeEqual(given, expected);
  return valid && now <= exp;
}

function isErrno(error: unknown, ...codes: string[]): boolean {
  return typeof error === 'object' && error !== null && codes.includes((error as NodeJS.ErrnoException).code ?? '');
}

function encodeEnvelope(body: Buffer, meta: Meta): Buffer {
  const metaBytes = Buffer.from(JSON.stringify(meta), 'utf8');
  const header = Buffer.alloc(HEADER_FIXED);
  MAGIC.copy(header, 0);
  header.writeUInt8(VERSION, MAGIC.length);
  header.writeUInt32BE(metaBytes.length, MAGIC.length + 1);
  return Buffer.concat([header, metaBytes, body]);
}

function parseHeader(head: Buffer, file: string): { metaLength: number } {
  if (head.length < HEADER_FIXED || !head.subarray(0, MAGIC.length).equals(MAGIC) || head[MAGIC.length] !== VERSION) {
    throw new Error(`corrupt object file ${file}`);
  }
  return { metaLength: head.readUInt32BE(MAGIC.length + 1) };
}

export class LocalObjectStorage implements ObjectStorage {
  readonly dir: string;
  readonly publicBaseUrl: string;
  private readonly secret: string;
  /** Temp files of this instance's put() calls in progress (never removed as incomplete). */
  private readonly writing = new Set<string>();

  constructor(options: LocalObjectStorageOptions) {
    if (!options || typeof options.dir !== 'string' || options.dir.length === 0) {
      throw new InvalidStorageArgumentError('dir is required');
    }
    if (typeof options.signingSecret !== 'string' || options.signingSecret.length < 16) {
      throw new InvalidStorageArgumentError('signingSecret must be a string of at least 16 characters');
    }
    // An empty base gives links relative to the API's origin ("/api/objects/..."), which stay
    // right whatever port or host the API is reached on.
    if (options.publicBaseUrl !== '') {
      let base: URL;
      try {
        base = new URL(options.publicBaseUrl);
      } catch {
        throw new InvalidStorageArgumentError(`publicBaseUrl is not a URL: ${JSON.stringify(options.publicBaseUrl)}`);
      }
      if (base.protocol !== 'http:' && base.protocol !== 'https:') {
        throw new InvalidStorageArgumentError('publicBaseUrl must be http(s)');
      }
    }
    this.dir = resolve(options.dir);
    this.publicBaseUrl = options.publicBaseUrl.replace(/\/+$/, '');
    this.secret = options.signingSecret;
  }

  async put(key: string, body: Buffer, options: { contentType: string }): Promise<void> {
    assertValidKey(key);
    if (!(body instanceof Uint8Array)) throw new InvalidStorageArgumentError('body must be a Buffer');
    const contentType = options?.contentType;
    if (typeof contentType !== 'string' || !CONTENT_TYPE_RE.test(contentType)) {
      throw new InvalidStorageArgumentError(`invalid contentType ${JSON.stringify(contentType)}`);
    }
    const { dirPath, filePath, name } = this.pathsFor(key);
    await mkdir(dirPath, { recursive: true });
    const tmp = join(dirPath, `${name}@tmp.${randomUUID()}`);
    this.writing.add(tmp);
    try {
      const fh = await open(tmp, 'wx', 0o644);
      try {
        await fh.writeFile(encodeEnvelope(Buffer.from(body.buffer, body.byteOffset, body.byteLength), { contentType }));
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, filePath);
    } catch (error) {
      await rm(tmp, { force: true }).catch(() => undefined);
      throw error;
    } finally {
      this.writing.delete(tmp);
    }
    await this.syncDir(dirPath);
  }

  async get(key: string): Promise<Buffer> {
    return (await this.read(key)).body;
  }

  /** Body and content type of one version of the object. @throws ObjectNotFoundError */
  async read(key: string): Promise<StoredObject> {
    assertValidKey(key);
    const { filePath } = this.pathsFor(key);
    let file: Buffer;
    try {
      file = await readFile(filePath);
    } catch (error) {
      if (isErrno(error, 'ENOENT', 'ENOTDIR')) throw new ObjectNotFoundError(key);
      throw error;
    }
    const { metaLength } = parseHeader(file, filePath);
    const meta = JSON.parse(file.subarray(HEADER_FIXED, HEADER_FIXED + metaLength).toString('utf8')) as Meta;
    return { body: file.subarray(HEADER_FIXED + metaLength), contentType: meta.contentType };
  }

  async head(key: string): Promise<ObjectInfo | null> {
    assertValidKey(key);
    const { filePath } = this.pathsFor(key);
    let fh;
    try {
      fh = await open(filePath, 'r');
    } catch (error) {
      if (isErrno(error, 'ENOENT', 'ENOTDIR')) return null;
      throw error;
    }
    try {
      const { size } = await fh.stat();
      const fixed = Buffer.alloc(HEADER_FIXED);
      await fh.read(fixed, 0, HEADER_FIXED, 0);
      const { metaLength } = parseHeader(fixed, filePath);
      const metaBytes = Buffer.alloc(metaLength);
      await fh.read(metaBytes, 0, metaLength, HEADER_FIXED);
      const meta = JSON.parse(metaBytes.toString('utf8')) as Meta;
      return { key, size: size - HEADER_FIXED - metaLength, contentType: meta.contentType };
    } finally {
      await fh.close();
    }
  }

  async delete(key: string): Promise<void> {
    assertValidKey(key);
    await rm(this.pathsFor(key).filePath, { force: true });
  }

  async *list(prefix = ''): AsyncIterable<string> {
    for await (const o of this.listObjects(prefix)) yield o.key;
  }

  async *listObjects(prefix = ''): AsyncIterable<ListedObject> {
    assertValidPrefix(prefix);
    // Walk from the deepest directory the prefix names completely, then filter and sort: the
    // lexicographic key order is not the directory-walk order ("a-b" < "a/b").
    const fullSegments = prefix.split('/').slice(0, -1);
    const found: { key: string; file: string }[] = [];
    await this.walk(join(this.dir, ...fullSegments), fullSegments.map((s) => `${s}/`).join(''), (entry, file, keyPrefix) => {
      if (!entry.name.endsWith(OBJ_SUFFIX)) return;
      const key = keyPrefix + entry.name.slice(0, -OBJ_SUFFIX.length);
      if (key.startsWith(prefix)) found.push({ key, file });
    });
    found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    for (const { key, file } of found) {
      const info = await this.statEnvelope(file);
      if (info) yield { key, size: info.size, lastModified: new Date(info.mtime.getTime()) }; // null: deleted meanwhile
    }
  }

  /** Temp files of put() (`<name>@tmp.<uuid>`) a killed process left, last written before olderThan. */
  async removeIncompleteWrites(olderThan: Date): Promise<number> {
    assertValidCutoff(olderThan);
    const stale: string[] = [];
    const checks: Promise<void>[] = [];
    await this.walk(this.dir, '', (entry, file) => {
      if (!TMP_RE.test(entry.name) || this.writing.has(file)) return;
      checks.push(
        stat(file).then(
          (s) => void (s.mtime < olderThan && stale.push(file)),
          () => undefined, // renamed or removed meanwhile
        ),
      );
    });
    await Promise.all(checks);
    let removed = 0;
    for (const file of stale) {
      try {
        await rm(file);
        removed++;
      } catch (error) {
        if (!isErrno(error, 'ENOENT')) throw error;
      }
    }
    return removed;
  }

  /** Calls onFile for every regular file under dirPath (keyPrefix: the key of dirPath + '/'). */
  private async walk(
    dirPath: string,
    keyPrefix: string,
    onFile: (entry: Dirent, file: string, keyPrefix: string) => void,
  ): Promise<void> {
    let entries: Dirent[];
    try {
      entries = await readdir(dirPath, { withFileTypes: true });
    } catch (error) {
      if (isErrno(error, 'ENOENT', 'ENOTDIR')) return;
      throw error;
    }
    for (const entry of entries) {
      const file = join(dirPath, entry.name);
      if (entry.isDirectory()) await this.walk(file, `${keyPrefix}${entry.name}/`, onFile);
      else if (entry.isFile()) onFile(entry, file, keyPrefix);
    }
  }

  /** Body size and modification time of an object file, or null when it is gone. */
  private async statEnvelope(file: string): Promise<{ size: number; mtime: Date } | null> {
    let fh;
    try {
      fh = await open(file, 'r');
    } catch (error) {
      if (isErrno(error, 'ENOENT', 'ENOTDIR')) return null;
      throw error;
    }
    try {
      const { size, mtime } = await fh.stat();
      const fixed = Buffer.alloc(HEADER_FIXED);
      await fh.read(fixed, 0, HEADER_FIXED, 0);
      const { metaLength } = parseHeader(fixed, file);
      return { size: size - HEADER_FIXED - metaLength, mtime };
    } finally {
      await fh.close();
    }
  }

  async presignGet(key: string, options: { expiresInSeconds: number }): Promise<string> {
    assertValidKey(key);
    assertValidExpiry(options?.expiresInSeconds);
    const expires = nowSeconds() + options.expiresInSeconds;
    return `${this.publicBaseUrl}/api/objects/${encodeKeyPath(key)}?expires=${expires}&signature=${sign(this.secret, key, expires)}`;
  }

  /** Checks a presigned link's parameters against this storage's secret (see verifyLocalSignature). */
  verifyLink(key: string, expires: string | number, signature: string, now?: number): boolean {
    return verifyLocalSignature(this.secret, key, expires, signature, now);
  }

  async ping(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await access(this.dir, fsConstants.R_OK | fsConstants.W_OK);
  }

  async close(): Promise<void> {
    // nothing held open
  }

  private pathsFor(key: string): { dirPath: string; filePath: string; name: string } {
    const segments = key.split('/');
    const name = segments.pop() as string;
    const dirPath = join(this.dir, ...segments);
    const filePath = join(dirPath, `${name}${OBJ_SUFFIX}`);
    // Defence in depth: assertValidKey already rules out '..' and absolute keys.
    if (!filePath.startsWith(this.dir + sep)) throw new InvalidStorageArgumentError(`key escapes the storage directory`);
    return { dirPath, filePath, name };
  }

  /** fsync the directory so the rename itself survives a crash (best effort: not all filesystems allow it). */
  private async syncDir(dirPath: string): Promise<void> {
    try {
      const dh = await open(dirPath, 'r');
      try {
        await dh.sync();
      } finally {
        await dh.close();
      }
    } catch {
      // ignore: durability of the rename is best effort
    }
  }
}

export interface ServedObject {
  status: number;
  body: Buffer;
  contentType: string;
}

const firstString = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : undefined;

const problem = (status: number, code: string, message: string): ServedObject => ({
  status,
  body: Buffer.from(JSON.stringify({ code, message })),
  contentType: 'application/json',
});

/**
 * What the API answers to GET /api/objects/<key>?expires=&signature= for local storage.
 * `key` is the decoded path after /api/objects/; `query` the parsed query string.
 * 400 malformed key, 401 link not signed, 403 bad signature or expired, 404 object gone, 200 bytes.
 */
export async function serveLocalObject(
  storage: LocalObjectStorage,
  key: string,
  query: Record<string, unknown>,
  now?: number,
): Promise<ServedObject> {
  try {
    assertValidKey(key);
  } catch {
    return problem(400, 'INVALID_OBJECT_KEY', 'invalid object key');
  }
  const expires = firstString(query?.expires);
  const signature = firstString(query?.signature);
  if (!expires || !signature) return problem(401, 'LINK_NOT_SIGNED', 'expires and signature are required');
  if (!storage.verifyLink(key, expires, signature, now)) {
    return problem(403, 'LINK_INVALID', 'the link is invalid or has expired');
  }
  try {
    const { body, contentType } = await storage.read(key);
    return { status: 200, body, contentType };
  } catch (error) {
    if (error instanceof ObjectNotFoundError) return problem(404, 'OBJECT_NOT_FOUND', 'object not found');
    throw error;
  }
}
