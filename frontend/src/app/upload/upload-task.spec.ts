import type { ImageDetail } from '../core/api.types';
import { UploadTask } from './upload-task';

const id = '11111111-2222-3333-4444-555555555555';

describe('UploadTask', () => {
  it('goes uploading -> processing -> done as the two labels arrive', () => {
    const task = new UploadTask('a.jpg', 10, null);
    expect(task.phase()).toBe('uploading');
    task.accepted(id, false);
    expect(task.phase()).toBe('processing');
    expect(task.progress()).toBe(100);
    expect(
      task.applyEvent({
        type: 'ImageClassified',
        data: { imageId: id, modelVersion: 'v1', kind: 'Tomato', confidence: 0.8, top: [{ kind: 'Tomato', confidence: 0.8 }], classifiedAt: 'x' },
      }),
    ).toBe(false);
    expect(task.classification()).toMatchObject({ kind: 'Tomato', confidence: 0.8, modelVersion: 'v1' });
    expect(task.phase()).toBe('processing');
    expect(
      task.applyEvent({
        type: 'ColourDetected',
        data: { imageId: id, algorithmVersion: 'a', rgbHex: '#FF0000', rybHex: '#FE2712', rgbShares: [], rybShares: [], detectedAt: 'x' },
      }),
    ).toBe(true);
    expect(task.phase()).toBe('done');
  });

  it('ignores events of other images', () => {
    const task = new UploadTask('a.jpg', 10, null);
    task.accepted(id, false);
    task.applyEvent({
      type: 'ImageClassified',
      data: { imageId: 'other', modelVersion: 'v1', kind: 'Tomato', confidence: 0.8, top: [], classifiedAt: 'x' },
    });
    expect(task.classification()).toBeNull();
  });

  it('catches up from the image state (a duplicate is already labelled)', () => {
    const task = new UploadTask('a.jpg', 10, null);
    task.accepted(id, true);
    const image = {
      imageId: id,
      kind: 'not_a_vegetable',
      confidence: 0.4,
      top: [],
      modelVersion: 'v1',
      rgbHex: '#00FF00',
      rybHex: '#66B032',
      rgbShares: [{ hex: '#00FF00', share: 1 }],
      rybShares: [],
    } as unknown as ImageDetail;
    expect(task.applyImage(image)).toBe(true);
    expect(task.duplicate()).toBe(true);
    expect(task.phase()).toBe('done');
    expect(task.colours()?.rgbShares).toEqual([{ hex: '#00FF00', share: 1 }]);
  });

  it('records a failure', () => {
    const task = new UploadTask('a.txt', 10, null);
    task.failed({ status: 415, code: 'unsupported_media_type' });
    expect(task.phase()).toBe('error');
    expect(task.error()).toEqual({ status: 415, code: 'unsupported_media_type' });
  });
});
