import { LogTail } from './log-tail';

const bytes = (text: string) => Buffer.from(text, 'utf8');

describe('LogTail', () => {
  it('serves any range of the bytes appended, within one chunk and across chunks', () => {
    const tail = new LogTail(1024);
    tail.append(100, bytes('abcd'));
    tail.append(104, bytes('efgh'));
    tail.append(108, bytes('ij'));
    expect([tail.start, tail.end]).toEqual([100, 110]);
    expect(tail.read(100, 4)?.toString()).toBe('abcd');
    expect(tail.read(101, 2)?.toString()).toBe('bc');
    expect(tail.read(102, 7)?.toString()).toBe('cdefghi');
    expect(tail.read(100, 10)?.toString()).toBe('abcdefghij');
    expect(tail.read(109, 1)?.toString()).toBe('j');
  });

  it('answers undefined for anything it does not hold whole', () => {
    const tail = new LogTail(1024);
    expect(tail.read(0, 1)).toBeUndefined();
    tail.append(10, bytes('abc'));
    expect(tail.read(9, 2)).toBeUndefined();
    expect(tail.read(12, 2)).toBeUndefined();
    expect(tail.read(13, 1)).toBeUndefined();
    expect(tail.read(10, 0)).toBeUndefined();
  });

  it('drops its oldest chunks past its bound, and starts afresh on bytes that do not follow', () => {
    const tail = new LogTail(8);
    tail.append(0, bytes('aaaa'));
    tail.append(4, bytes('bbbb'));
    tail.append(8, bytes('cccc'));
    expect([tail.start, tail.end]).toEqual([4, 12]);
    expect(tail.read(0, 4)).toBeUndefined();
    expect(tail.read(4, 8)?.toString()).toBe('bbbbcccc');
    tail.append(20, bytes('dd'));
    expect([tail.start, tail.end]).toEqual([20, 22]);
    expect(tail.read(8, 4)).toBeUndefined();
    // A chunk larger than the bound is not kept at all.
    tail.append(22, bytes('x'.repeat(9)));
    expect(tail.read(20, 2)).toBeUndefined();
    expect([tail.start, tail.end]).toEqual([0, 0]);
  });

  it('refuses a bound that is not a non-negative integer', () => {
    expect(() => new LogTail(-1)).toThrow(RangeError);
    expect(() => new LogTail(1.5)).toThrow(RangeError);
  });
});
