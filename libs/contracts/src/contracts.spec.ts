import { decodeEvent, encodeEvent, makeEventData, ImageSource, type DomainEvent } from './index';

describe('event contracts', () => {
  it('round-trips an ImageUploaded event through its wire form', () => {
    const event: DomainEvent = {
      meta: {
        eventId: '0b7f3a52-54b4-4b8e-9a55-2f1b7c1e0f01',
        type: 'ImageUploaded',
        schemaVersion: 1,
        correlationId: 'c1',
        causationId: '',
        occurredAt: '2026-01-01T00:00:00.000Z',
      },
      data: makeEventData('ImageUploaded', {
        imageId: 'img-1',
        objectKey: 'originals/ab/abcd',
        sha256: 'ab'.repeat(32),
        contentType: 'image/jpeg',
        width: 224,
        height: 224,
        sizeBytes: 1234n,
        source: ImageSource.CATALOG,
        datasetSplit: 'train',
        groundTruthKind: 'Bean',
      }),
    };
    const wire = encodeEvent(event);
    expect(wire.data['source']).toBe('IMAGE_SOURCE_CATALOG');
    expect(wire.data['sizeBytes']).toBe('1234');
    const json = JSON.parse(JSON.stringify(wire));
    const back = decodeEvent(json);
    expect(back).toEqual(event);
  });

  it('rejects unknown event types', () => {
    expect(() => decodeEvent({ eventId: 'x', type: 'Nope', data: {}, metadata: {} })).toThrow(/unknown event type/);
  });
});
