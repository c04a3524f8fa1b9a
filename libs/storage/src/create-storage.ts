import { LocalObjectStorage } from './local-object-storage';
import { S3ObjectStorage } from './s3-object-storage';
import { InvalidStorageArgumentError, type ObjectStorage } from './storage.port';

export type StorageConfig =
  | { kind: 'local'; dir: string; publicBaseUrl: string; signingSecret: string }
  | {
      kind: 's3';
      endpoint?: string;
      region: string;
      bucket: string;
      accessKeyId: string;
      secretAccessKey: string;
      forcePathStyle?: boolean;
      keyPrefix?: string;
    };

/** Builds the storage adapter the configuration names (S3: call ensureBucket() at startup if needed). */
export function createStorage(config: Extract<StorageConfig, { kind: 'local' }>): LocalObjectStorage;
export function createStorage(config: Extract<StorageConfig, { kind: 's3' }>): S3ObjectStorage;
export function createStorage(config: StorageConfig): ObjectStorage;
export function createStorage(config: StorageConfig): ObjectStorage {
  switch (config?.kind) {
    case 'local':
      return new LocalObjectStorage(config);
    case 's3':
      return new S3ObjectStorage(config);
    default:
      throw new InvalidStorageArgumentError(`unknown storage kind ${JSON.stringify((config as { kind?: unknown })?.kind)}`);
  }
}
