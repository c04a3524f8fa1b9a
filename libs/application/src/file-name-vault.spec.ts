// Sealing the client's file name (crypto-shredding): round trip, a wrong key or image id fails
// cleanly, a destroyed key makes the name read as null, and the read model gets the opened name.
import { makeEventData, type DomainEvent } from '@vegvision/contracts';
import { FileKeyStore, type KeyStore } from '@vegvision/key-store';
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FileNameVault, SEALED_NAME_VERSION, openName, sealName } from './file-name-vault';

const IMAGE = '3f2b8c1e-5d6a-5b7c-9e0f-112233445566';
const OTHER = '00000000-0000-5000-8000-000000000001';

function uploaded(data: { originalName?: string; sealedOriginalName?: string }, imageId = IMAGE): DomainEvent {
  return {
    meta: { eventId: 'e1', type: 'ImageUploaded', schemaVersion: 1, correlationId: 'c', causationId: '', occurredAt: '2026-01-01T00:00:00.000Z' },
    data: makeEventData('ImageUploaded', { imageId, sha256: 'a'.repeat(64), ...data }),
  } as DomainEvent;
}

describe('sealName / openName', () => {
  const key = randomBytes(32);

  it('round-trips any name, with a fresh IV each time, and never shows it in the sealed text', () => {
    for (const name of ['carrot.jpg', 'морковь🥕.jpg', 'my tomato '.repeat(20)]) {
      const a = sealName(key, IMAGE, name);
      const b = sealName(key, IMAGE, name);
      expect(a.startsWith(SEALED_NAME_VERSION)).toBe(true);
      expect(a).not.toBe(b);
      expect(a).not.toContain(name);
      expect(Buffer.from(a.slice(3), 'base64').toString('latin1')).not.toContain(name);
      expect(openName(key, IMAGE, a)).toBe(name);
      expect(openName(key, IMAGE, b)).toBe(name);
    }
  });

  it('a wrong key, another image id, a damaged or foreign text read as null (no exception)', () => {
    const sealed = sealName(key, IMAGE, 'carrot.jpg');
    expect(openName(randomBytes(32), IMAGE, sealed)).toBeNull();
    expect(openName(key, OTHER, sealed)).toBeNull();
    const bytes = Buffer.from(sealed.slice(3), 'base64');
    bytes[bytes.length - 1] ^= 1;
    expect(openName(key, IMAGE, SEALED_NAME_VERSION + bytes.toString('base64'))).toBeNull();
    expect(openName(key, IMAGE, SEALED_NAME_VERSION + 'AAAA')).toBeNull();
    expect(openName(key, IMAGE, 'v2:' + sealed.slice(3))).toBeNull();
    expect(openName(key, IMAGE, 'carrot.jpg')).toBeNull();
    expect(openName(key, IMAGE, '')).toBeNull();
  });
});

describe('FileNameVault', () => {
  let dir: string;
  let keys: KeyStore;
  let vault: FileNameVault;
  beforeEach(async () => {
    dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'vv-vault-'));
    keys = await FileKeyStore.open({ dir });
    vault = new FileNameVault(keys);
  });
  afterEach(async () => {
    await keys.close();
    await fsp.rm(dir, { recursive: true, force: true });
  });

  it('seals under the image key (created once) and opens it again, also after a restart', async () => {
    const sealed = await vault.seal(IMAGE, 'my tomato.png');
    const again = await vault.seal(IMAGE, 'second.png');
    expect(await vault.open(IMAGE, sealed)).toBe('my tomato.png');
    expect(await vault.open(IMAGE, again)).toBe('second.png');
    await keys.close();
    keys = await FileKeyStore.open({ dir });
    expect(await new FileNameVault(keys).open(IMAGE, sealed)).toBe('my tomato.png');
  });

  it('an empty name stays empty and creates no key', async () => {
    expect(await vault.seal(IMAGE, '')).toBe('');
    expect(await keys.get(IMAGE)).toBeUndefined();
    expect(await vault.open(IMAGE, '')).toBeNull();
  });

  it('after shred the name reads as null; a new key (re-upload after deletion) does not open the old seal', async () => {
    const old = await vault.seal(IMAGE, 'deleted.png');
    const other = await vault.seal(OTHER, 'kept.png');
    await vault.shred(IMAGE);
    await vault.shred(IMAGE); // idempotent
    expect(await vault.open(IMAGE, old)).toBeNull();
    const fresh = await vault.seal(IMAGE, 'again.png');
    expect(await vault.open(IMAGE, old)).toBeNull();
    expect(await vault.open(IMAGE, fresh)).toBe('again.png');
    expect(await vault.open(OTHER, other)).toBe('kept.png');
  });

  it('openForReadModel: the opened name in originalName, the sealed one dropped; old plain events and other events unchanged', async () => {
    const sealed = await vault.seal(IMAGE, 'carrot 01.png');
    const event = uploaded({ sealedOriginalName: sealed });
    const opened = await vault.openForReadModel(event);
    expect(opened.data).toMatchObject({ originalName: 'carrot 01.png', sealedOriginalName: '', imageId: IMAGE });
    expect((event.data as { sealedOriginalName: string }).sealedOriginalName).toBe(sealed); // not mutated
    const legacy = uploaded({ originalName: 'legacy.png' });
    expect(await vault.openForReadModel(legacy)).toBe(legacy);
    await vault.shred(IMAGE);
    expect((await vault.openForReadModel(event)).data).toMatchObject({ originalName: '', sealedOriginalName: '' });
    const deleted = {
      meta: { ...event.meta, type: 'ImageDeleted' },
      data: makeEventData('ImageDeleted', { imageId: IMAGE, deletedBy: 'ana', deletedAt: '2026-01-01T00:00:00.000Z' }),
    } as DomainEvent;
    expect(await vault.openForReadModel(deleted)).toBe(deleted);
  });

  it('a key store failure is an error (the projector retries), not a name that reads as null', async () => {
    const sealed = await vault.seal(IMAGE, 'carrot.png');
    await keys.close();
    await expect(vault.open(IMAGE, sealed)).rejects.toHaveProperty('code', 'KEY_STORE_CLOSED');
    keys = await FileKeyStore.open({ dir });
  });
});
