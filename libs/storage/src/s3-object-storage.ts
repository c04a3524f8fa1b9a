// Distributed-mode object storage on any S3-compatible server (SeaweedFS locally, AWS S3 in the cloud).
// Presigned links are SigV4 query-signed GETs straight to the S3 server, which checks them.
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
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

export interface S3ObjectStorageOptions {
  /** e.g. "http://127.0.0.1:58333"; omit for AWS. */
  endpoint?: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Path-style URLs (http://host/bucket/key); default true (SeaweedFS, MinIO). */
  forcePathStyle?: boolean;
  /**
   * Prepended to every key on the server and stripped from list() results, e.g. "tenant-a/"
   * (must end in '/'); default none. Lets tests and tenants share a bucket.
   */
  keyPrefix?: string;
  /** Keys per ListObjectsV2 page (1..1000, default 1000). */
  listPageSize?: number;
}

const CONTENT_TYPE_RE = /^[\x21-\x7e][\x20-\x7e]{0,254}$/;

function isNotFound(error: unknown): boolean {
  if (error instanceof S3ServiceException) {
    return error.name === 'NoSuchKey' || error.name === 'NotFound' || error.$metadata?.httpStatusCode === 404;
  }
  return false;
}

export class S3ObjectStorage implements ObjectStorage {
  readonly client: S3Client;
  readonly bucket: string;
  private readonly keyPrefix: string;
  private readonly pageSize: number;

  constructor(options: S3ObjectStorageOptions) {
    for (const field of ['region', 'bucket', 'accessKeyId', 'secretAccessKey'] as const) {
      if (typeof options?.[field] !== 'string' || options[field].length === 0) {
        throw new InvalidStorageArgumentError(`${field} is required`);
      }
    }
    const keyPrefix = options.keyPrefix ?? '';
    if (keyPrefix !== '') {
      if (!keyPrefix.endsWith('/')) throw new InvalidStorageArgumentError('keyPrefix must end with "/"');
      try {
        assertValidKey(keyPrefix.slice(0, -1));
      } catch {
        throw new InvalidStorageArgumentError(`invalid keyPrefix ${JSON.stringify(keyPrefix)}`);
      }
    }
    const pageSize = options.listPageSize ?? 1000;
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) {
      throw new InvalidStorageArgumentError('listPageSize must be an integer from 1 to 1000');
    }
    this.bucket = options.bucket;
    this.keyPrefix = keyPrefix;
    this.pageSize = pageSize;
    this.client = new S3Client({
      endpoint: options.endpoint,
      region: options.region,
      forcePathStyle: options.forcePathStyle ?? true,
      credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
      // Checksums only where S3 requires them: S3-compatible servers vary in their support of
      // the SDK's default CRC32 trailers.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  /** Creates the bucket when it does not exist yet. */
  async ensureBucket(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
      return;
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    try {
      await this.client.send(new CreateBucketCommand({ Bucket: this.bucket }));
    } catch (error) {
      const name = (error as Error)?.name;
      if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw error;
    }
  }

  async put(key: string, body: Buffer, options: { contentType: string }): Promise<void> {
    assertValidKey(key);
    if (!(body instanceof Uint8Array)) throw new InvalidStorageArgumentError('body must be a Buffer');
    const contentType = options?.contentType;
    if (typeof contentType !== 'string' || !CONTENT_TYPE_RE.test(contentType)) {
      throw new InvalidStorageArgumentError(`invalid contentType ${JSON.stringify(contentType)}`);
    }
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: this.keyPrefix + key,
        Body: body,
        ContentType: contentType,
        ContentLength: body.byteLength,
      }),
    );
  }

  async get(key: string): Promise<Buffer> {
    assertValidKey(key);
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.keyPrefix + key }));
      if (!res.Body) return Buffer.alloc(0);
      return Buffer.from(await res.Body.transformToByteArray());
    } catch (error) {
      if (isNotFound(error)) throw new ObjectNotFoundError(key);
      throw error;
    }
  }

  async head(key: string): Promise<ObjectInfo | null> {
    assertValidKey(key);
    try {
      const res = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.keyPrefix + key }));
      return { key, size: res.ContentLength ?? 0, contentType: res.ContentType ?? 'application/octet-stream' };
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    assertValidKey(key);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.keyPrefix + key }));
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  async *list(prefix = ''): AsyncIterable<string> {
    for await (const o of this.listObjects(prefix)) yield o.key;
  }

  async *listObjects(prefix = ''): AsyncIterable<ListedObject> {
    assertValidPrefix(prefix);
    let token: string | undefined;
    let last: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: this.keyPrefix + prefix,
          ContinuationToken: token,
          MaxKeys: this.pageSize,
        }),
      );
      // S3 returns keys in UTF-8 byte order, which equals string order for our ASCII keys.
      const objects = (page.Contents ?? [])
        .filter((o): o is typeof o & { Key: string } => typeof o.Key === 'string' && o.Key.startsWith(this.keyPrefix))
        .map((o) => ({ key: o.Key.slice(this.keyPrefix.length), size: o.Size ?? 0, lastModified: o.LastModified ?? new Date(0) }))
        .sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
      for (const o of objects) {
        if (last !== undefined && o.key <= last) continue; // defensive: never repeat or go back
        last = o.key;
        yield o;
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  /**
   * Nothing to do: put() is one PutObject, which S3 stores completely or not at all (the adapter
   * never starts multipart uploads), so an interrupted put() leaves nothing behind.
   */
  async removeIncompleteWrites(olderThan: Date): Promise<number> {
    assertValidCutoff(olderThan);
    return 0;
  }

  async presignGet(key: string, options: { expiresInSeconds: number }): Promise<string> {
    assertValidKey(key);
    assertValidExpiry(options?.expiresInSeconds);
    return getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.bucket, Key: this.keyPrefix + key }), {
      expiresIn: options.expiresInSeconds,
    });
  }

  async ping(): Promise<void> {
    await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}
