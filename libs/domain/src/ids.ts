import { createHash, randomUUID } from 'node:crypto';

/**
 * Deterministic UUID (version 5 layout, SHA-256 based) from a name. Used for ids that must
 * be the same every time the same fact is recorded, which makes appends idempotent.
 */
export function deterministicUuid(namespace: string, name: string): string {
  const h = createHash('sha256').update(namespace).update('\0').update(name).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** One image per distinct content: the image id is derived from the bytes' SHA-256. */
export const imageIdFromSha256 = (sha256: string): string => deterministicUuid('vegvision:image', sha256.toLowerCase());

export const imageStreamId = (imageId: string): string => `image-${imageId}`;

export const IMAGE_STREAM_PREFIX = 'image-';

export function imageIdFromStreamId(streamId: string): string | null {
  return streamId.startsWith(IMAGE_STREAM_PREFIX) ? streamId.slice(IMAGE_STREAM_PREFIX.length) : null;
}

// An image deleted and uploaded again starts a new life (incarnation 1, 2, ...) on the same
// stream: what is recorded once per image is recorded once per life, so the ids of incarnation
// n > 0 name it; incarnation 0 keeps the ids every existing log already holds.
const life = (incarnation: number): string => (incarnation > 0 ? `\0${incarnation}` : '');

/** Event id of the classification of an image by one model version (one per pair and life of the image). */
export const classificationEventId = (imageId: string, modelVersion: string, incarnation = 0): string =>
  deterministicUuid('vegvision:classified', `${imageId}\0${modelVersion}${life(incarnation)}`);

/** Event id of the colours of an image by one algorithm version (one per pair and life of the image). */
export const coloursEventId = (imageId: string, algorithmVersion: string, incarnation = 0): string =>
  deterministicUuid('vegvision:colours', `${imageId}\0${algorithmVersion}${life(incarnation)}`);

/** Event id of the deletion of one life of an image: concurrent deletions record it once. */
export const deletionEventId = (imageId: string, incarnation: number): string =>
  deterministicUuid('vegvision:deleted', `${imageId}\0${incarnation}`);

/** Event id of a catalog import of one file: re-importing the same file adds nothing. */
export const importEventId = (sha256: string, relativePath: string): string =>
  deterministicUuid('vegvision:import', `${sha256}\0${relativePath}`);

export const newId = (): string => randomUUID();
