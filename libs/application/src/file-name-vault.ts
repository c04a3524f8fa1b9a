// Crypto-shredding of the client's file name: the one place that seals and opens it.
//
// The event log is append-only, so a name recorded in plain text would outlive a deletion. Instead
// ImageUploaded carries `sealedOriginalName`: the name encrypted with AES-256-GCM under the image's
// data key from the key store (KEY_STORE), the image id bound in as additional authenticated data.
// Ingest seals (IngestService, for uploads and catalog imports); the projection opens it where
// events are handed to the read model (openForReadModel, used by the projector role and the
// rebuild); ImageDeletionService destroys the key after recording ImageDeleted, after which every
// sealed name of the image reads as null. Events recorded before this carry `originalName` in plain
// text, which is passed on as it is.
//
// Format: "v1:" + base64(12-byte IV | 16-byte GCM tag | ciphertext of the UTF-8 name).
import { Inject, Injectable } from '@nestjs/common';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { isEvent, type DomainEvent } from '@vegvision/contracts';
import type { KeyStore } from '@vegvision/key-store';
import { KEY_STORE } from './tokens';

export const SEALED_NAME_VERSION = 'v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Encrypts `name` under `key` (32 bytes), bound to `imageId`. */
export function sealName(key: Buffer, imageId: string, name: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(imageId, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(name, 'utf8'), cipher.final()]);
  return SEALED_NAME_VERSION + Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64');
}

/**
 * The name sealed by sealName, or null when it cannot be opened: another key (a destroyed key's
 * successor), another image id, a damaged or unknown format. Never throws.
 */
export function openName(key: Buffer, imageId: string, sealed: string): string | null {
  if (!sealed.startsWith(SEALED_NAME_VERSION)) return null;
  const bytes = Buffer.from(sealed.slice(SEALED_NAME_VERSION.length), 'base64');
  if (bytes.length < IV_BYTES + TAG_BYTES) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(imageId, 'utf8'));
    decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}

@Injectable()
export class FileNameVault {
  constructor(@Inject(KEY_STORE) private readonly keys: KeyStore) {}

  /** Seals the (sanitised) name under the image's key, creating the key on first use; '' stays ''. */
  async seal(imageId: string, name: string): Promise<string> {
    if (name === '') return '';
    return sealName(await this.keys.create(imageId), imageId, name);
  }

  /** The sealed name in plain text, or null once the image's key is destroyed (or for '' / a foreign seal). */
  async open(imageId: string, sealed: string): Promise<string | null> {
    if (sealed === '') return null;
    const key = await this.keys.get(imageId);
    return key ? openName(key, imageId, sealed) : null;
  }

  /** Destroys the image's key: every name sealed under it reads as null from now on. Idempotent. */
  shred(imageId: string): Promise<void> {
    return this.keys.destroy(imageId);
  }

  /**
   * The event as the read model gets it: an ImageUploaded with a sealed name carries the opened name
   * in `originalName` ('' when it cannot be opened) and no sealed one; every other event as it is.
   */
  async openForReadModel(event: DomainEvent): Promise<DomainEvent> {
    if (!isEvent(event, 'ImageUploaded') || event.data.sealedOriginalName === '') return event;
    const name = await this.open(event.data.imageId, event.data.sealedOriginalName);
    return { ...event, data: { ...event.data, originalName: name ?? '', sealedOriginalName: '' } };
  }
}
