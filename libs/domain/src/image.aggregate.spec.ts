import { createHash } from 'node:crypto';
import {
  classificationEventId,
  coloursEventId,
  decideClassification,
  decideCorrection,
  decideDeletion,
  MAX_CORRECTION_NOTE_LENGTH,
  decideColours,
  decideUpload,
  emptyState,
  fold,
  imageIdFromSha256,
  importEventId,
  isFirstUpload,
  personLabel,
  DomainError,
  ImageNotFoundError,
  type UploadImage,
} from './index';

const sha = createHash('sha256').update('pixels').digest('hex');
const imageId = imageIdFromSha256(sha);
const ctx = { correlationId: 'corr-1', now: () => new Date('2026-01-02T03:04:05.000Z') };
const upload: UploadImage = {
  sha256: sha,
  objectKey: `originals/${sha.slice(0, 2)}/${sha}`,
  contentType: 'image/jpeg',
  width: 640,
  height: 480,
  sizeBytes: 12345,
  source: 'upload',
};
const classification = {
  modelVersion: 'm1',
  kind: 'Tomato',
  confidence: 0.9,
  top: [
    { kind: 'Tomato', confidence: 0.9 },
    { kind: 'Capsicum', confidence: 0.05 },
  ],
};
const colours = {
  algorithmVersion: 'mean-euclidean-v1',
  rgbHex: '#FF0000',
  rybHex: '#FE2712',
  rgbShares: [{ hex: '#FF0000', share: 1 }],
  rybShares: [{ hex: '#FE2712', share: 1 }],
};

describe('image aggregate', () => {
  it('derives one image id per content and records an upload', () => {
    expect(imageIdFromSha256(sha)).toBe(imageIdFromSha256(sha.toUpperCase()));
    expect(imageId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const [event] = decideUpload(emptyState(imageId), upload, ctx);
    expect(event.meta).toMatchObject({ type: 'ImageUploaded', schemaVersion: 1, correlationId: 'corr-1' });
    expect(event.data).toMatchObject({ imageId, sha256: sha, width: 640, height: 480, sizeBytes: 12345n });
  });

  it('keeps every upload of the same bytes and ignores a repeated upload event id', () => {
    const first = decideUpload(emptyState(imageId), { ...upload, eventId: importEventId(sha, 'Bean/1.jpg') }, ctx);
    const state = fold(imageId, first);
    expect(decideUpload(state, { ...upload, eventId: importEventId(sha, 'Bean/1.jpg') }, ctx)).toEqual([]);
    const second = decideUpload(state, upload, ctx);
    expect(second).toHaveLength(1);
    const both = fold(imageId, [...first, ...second]);
    expect(both.uploadEventIds.size).toBe(2);
    expect([...both.objectKeys]).toEqual([upload.objectKey]);
    expect(emptyState(imageId).objectKeys.size).toBe(0);
  });

  it('the first upload is the one at revision 0: nothing else can be recorded before it', () => {
    expect(() => decideClassification(emptyState(imageId), classification, ctx)).toThrow(ImageNotFoundError);
    expect(() => decideColours(emptyState(imageId), colours, ctx)).toThrow(ImageNotFoundError);
    const first = decideUpload(emptyState(imageId), upload, ctx);
    const second = decideUpload(fold(imageId, first), upload, ctx);
    expect(isFirstUpload(fold(imageId, [...first, ...second]), 0)).toBe(true);
    expect(isFirstUpload(fold(imageId, [...first, ...second]), 1)).toBe(false);
  });

  it('rejects uploads that break invariants', () => {
    const s = emptyState(imageId);
    expect(() => decideUpload(s, { ...upload, sha256: 'nope' }, ctx)).toThrow(DomainError);
    expect(() => decideUpload(emptyState('other'), upload, ctx)).toThrow(/is not the image/);
    expect(() => decideUpload(s, { ...upload, contentType: 'image/gif' }, ctx)).toThrow(/not accepted/);
    expect(() => decideUpload(s, { ...upload, width: 0 }, ctx)).toThrow(/positive/);
    expect(() => decideUpload(s, { ...upload, groundTruthKind: 'Banana' }, ctx)).toThrow(/unknown ground-truth/);
  });

  it('records one classification per model version with a deterministic event id', () => {
    const state = fold(imageId, decideUpload(emptyState(imageId), upload, ctx));
    const [event] = decideClassification(state, classification, ctx);
    expect(event.meta.eventId).toBe(classificationEventId(imageId, 'm1'));
    const after = fold(imageId, [...decideUpload(emptyState(imageId), upload, ctx), event]);
    expect(decideClassification(after, classification, ctx)).toEqual([]);
    expect(decideClassification(after, { ...classification, modelVersion: 'm2' }, ctx)).toHaveLength(1);
    expect(decideClassification(state, { ...classification, kind: 'not_a_vegetable' }, ctx)).toHaveLength(1);
  });

  it('refuses labels for unknown images and invalid labels', () => {
    expect(() => decideClassification(emptyState(imageId), classification, ctx)).toThrow(ImageNotFoundError);
    expect(() => decideColours(emptyState(imageId), colours, ctx)).toThrow(ImageNotFoundError);
    const state = fold(imageId, decideUpload(emptyState(imageId), upload, ctx));
    expect(() => decideClassification(state, { ...classification, kind: 'Banana' }, ctx)).toThrow(/unknown label/);
    expect(() => decideClassification(state, { ...classification, confidence: 1.5 }, ctx)).toThrow(/\[0, 1\]/);
    expect(() => decideColours(state, { ...colours, rgbHex: '#ff0000' }, ctx)).toThrow(/upper-case/);
  });

  it('records colours once per algorithm version', () => {
    const uploaded = decideUpload(emptyState(imageId), upload, ctx);
    const state = fold(imageId, uploaded);
    const coloured = decideColours(state, colours, ctx);
    expect(coloured[0].data).toMatchObject({ rgbHex: '#FF0000', rybHex: '#FE2712' });
    expect(decideColours(fold(imageId, [...uploaded, ...coloured]), colours, ctx)).toEqual([]);
  });

  describe('corrections', () => {
    const uploaded = decideUpload(emptyState(imageId), upload, ctx);
    const classified = decideClassification(fold(imageId, uploaded), classification, ctx);

    it('records who said which kind, when, with the label it replaces', () => {
      const [event] = decideCorrection(fold(imageId, [...uploaded, ...classified]), { kind: 'Capsicum', note: 'red pepper', by: 'ana' }, ctx);
      expect(event.meta).toMatchObject({ type: 'LabelCorrected', schemaVersion: 1, correlationId: 'corr-1' });
      expect(event.data).toMatchObject({ imageId, kind: 'Capsicum', note: 'red pepper', correctedBy: 'ana', correctedAt: '2026-01-02T03:04:05.000Z', previousKind: 'Tomato' });
      const state = fold(imageId, [...uploaded, ...classified, event]);
      expect(state.correction).toMatchObject({ kind: 'Capsicum', by: 'ana' });
      // A later model label leaves the correction in place.
      const relabelled = decideClassification(state, { ...classification, modelVersion: 'm2' }, ctx);
      const later = fold(imageId, [...uploaded, ...classified, event, ...relabelled]);
      expect(later.correction?.kind).toBe('Capsicum');
      expect(decideCorrection(later, { kind: 'Tomato', by: 'bo' }, ctx)[0].data).toMatchObject({ previousKind: 'Capsicum', note: '' });
    });

    it('refuses unknown kinds, long notes, no actor and missing images', () => {
      const state = fold(imageId, uploaded);
      expect(() => decideCorrection(state, { kind: 'Banana', by: 'ana' }, ctx)).toThrow(/unknown kind/);
      expect(() => decideCorrection(state, { kind: 'Bean', by: 'ana', note: 'x'.repeat(MAX_CORRECTION_NOTE_LENGTH + 1) }, ctx)).toThrow(/at most/);
      expect(decideCorrection(state, { kind: 'not_a_vegetable', by: 'ana', note: 'x'.repeat(MAX_CORRECTION_NOTE_LENGTH) }, ctx)).toHaveLength(1);
      expect(() => decideCorrection(state, { kind: 'Bean', by: ' ' }, ctx)).toThrow(DomainError);
      expect(() => decideCorrection(emptyState(imageId), { kind: 'Bean', by: 'ana' }, ctx)).toThrow(ImageNotFoundError);
    });
  });

  describe('deletion', () => {
    const uploaded = decideUpload(emptyState(imageId), upload, ctx);
    const classified = decideClassification(fold(imageId, uploaded), classification, ctx);
    const coloured = decideColours(fold(imageId, [...uploaded, ...classified]), colours, ctx);
    const before = [...uploaded, ...classified, ...coloured];
    const deleted = decideDeletion(fold(imageId, before), { by: 'ana' }, ctx);

    it('ends the life of the image once: a second deletion and labels of the deleted image are refused', () => {
      expect(deleted[0].meta.type).toBe('ImageDeleted');
      expect(deleted[0].data).toMatchObject({ imageId, deletedBy: 'ana' });
      // Two concurrent deletions decide the same event id, which the store records once.
      expect(decideDeletion(fold(imageId, before), { by: 'bo' }, ctx)[0].meta.eventId).toBe(deleted[0].meta.eventId);
      const state = fold(imageId, [...before, ...deleted]);
      expect(state).toMatchObject({ exists: false, incarnation: 1, correction: null, modelKind: null });
      expect(state.objectKeys.size).toBe(0);
      expect(() => decideDeletion(state, { by: 'ana' }, ctx)).toThrow(ImageNotFoundError);
      expect(() => decideCorrection(state, { kind: 'Bean', by: 'ana' }, ctx)).toThrow(ImageNotFoundError);
      expect(() => decideClassification(state, classification, ctx)).toThrow(ImageNotFoundError);
    });

    it('ignores a label that lands after the deletion (computed while it was recorded)', () => {
      const late = decideClassification(fold(imageId, uploaded), { ...classification, modelVersion: 'm2' }, ctx);
      const state = fold(imageId, [...before, ...deleted, ...late]);
      expect(state.exists).toBe(false);
      expect(state.classifiedBy.size).toBe(0);
    });

    it('an upload of the same bytes afterwards starts a new life that is labelled anew', () => {
      const again = decideUpload(fold(imageId, [...before, ...deleted]), upload, ctx);
      expect(again).toHaveLength(1);
      const events = [...before, ...deleted, ...again];
      const state = fold(imageId, events);
      expect(state).toMatchObject({ exists: true, incarnation: 1, lifeStarts: [0, 4] });
      expect(isFirstUpload(state, 4)).toBe(true);
      expect([...state.objectKeys]).toEqual([upload.objectKey]);
      const [relabel] = decideClassification(state, classification, ctx);
      expect(relabel.meta.eventId).not.toBe(classificationEventId(imageId, 'm1'));
      expect(relabel.meta.eventId).toBe(classificationEventId(imageId, 'm1', 1));
      expect(decideColours(state, colours, ctx)[0].meta.eventId).toBe(coloursEventId(imageId, colours.algorithmVersion, 1));
      // The deletion of the second life has its own id.
      expect(decideDeletion(state, { by: 'ana' }, ctx)[0].meta.eventId).not.toBe(deleted[0].meta.eventId);
    });

    it('a re-run import (same deterministic upload id) does not bring the image back', () => {
      const imported = decideUpload(emptyState(imageId), { ...upload, eventId: importEventId(sha, 'Bean/1.jpg') }, ctx);
      const gone = decideDeletion(fold(imageId, imported), { by: 'ana' }, ctx);
      expect(decideUpload(fold(imageId, [...imported, ...gone]), { ...upload, eventId: importEventId(sha, 'Bean/1.jpg') }, ctx)).toEqual([]);
    });
  });

  describe('the kind a person gave (personLabel)', () => {
    const imported: UploadImage = { ...upload, source: 'catalog', groundTruthKind: 'Bean', datasetSplit: 'train' };

    it('is the ground-truth folder of the import, with its split, original and content type', () => {
      const state = fold(imageId, decideUpload(emptyState(imageId), imported, ctx));
      expect(personLabel(state)).toEqual({ kind: 'Bean', source: 'ground_truth' });
      expect(state).toMatchObject({ originalKey: upload.objectKey, contentType: 'image/jpeg', datasetSplit: 'train' });
    });

    it('is null for a plain upload only the model labelled', () => {
      const uploaded = decideUpload(emptyState(imageId), upload, ctx);
      const labelled = [...uploaded, ...decideClassification(fold(imageId, uploaded), classification, ctx)];
      expect(personLabel(fold(imageId, labelled))).toBeNull();
    });

    it('the newest correction wins over the folder; a later upload from another folder changes nothing', () => {
      const first = decideUpload(emptyState(imageId), imported, ctx);
      const fix1 = decideCorrection(fold(imageId, first), { kind: 'Tomato', by: 'ana' }, ctx);
      const fix2 = decideCorrection(fold(imageId, [...first, ...fix1]), { kind: 'not_a_vegetable', by: 'bo' }, ctx);
      const again = decideUpload(fold(imageId, [...first, ...fix1, ...fix2]), { ...imported, groundTruthKind: 'Carrot' }, ctx);
      const state = fold(imageId, [...first, ...fix1, ...fix2, ...again]);
      expect(personLabel(state)).toEqual({ kind: 'not_a_vegetable', source: 'correction' });
      expect(state.groundTruthKind).toBe('Bean');
    });

    it('ends with the life: a deleted image has none, its next life starts without the old truth', () => {
      const first = decideUpload(emptyState(imageId), imported, ctx);
      const gone = decideDeletion(fold(imageId, first), { by: 'ana' }, ctx);
      expect(personLabel(fold(imageId, [...first, ...gone]))).toBeNull();
      const again = decideUpload(fold(imageId, [...first, ...gone]), upload, ctx);
      const state = fold(imageId, [...first, ...gone, ...again]);
      expect(personLabel(state)).toBeNull();
      expect(state).toMatchObject({ exists: true, groundTruthKind: null, datasetSplit: null, originalKey: upload.objectKey });
    });
  });
});
