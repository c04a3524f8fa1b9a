import v8 from 'node:v8';
import { tuneHeapForServing } from './heap-tuning';

describe('tuneHeapForServing', () => {
  it('turns allocation-site pretenuring off', () => {
    const set = jest.spyOn(v8, 'setFlagsFromString');
    try {
      tuneHeapForServing();
      expect(set.mock.calls).toEqual([['--no-allocation-site-pretenuring']]);
    } finally {
      set.mockRestore();
    }
  });
});
