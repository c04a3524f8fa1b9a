export * from './storage.port';
export {
  LocalObjectStorage,
  verifyLocalSignature,
  serveLocalObject,
  encodeKeyPath,
  type LocalObjectStorageOptions,
  type ServedObject,
  type StoredObject,
} from './local-object-storage';
export { S3ObjectStorage, type S3ObjectStorageOptions } from './s3-object-storage';
export { createStorage, type StorageConfig } from './create-storage';
