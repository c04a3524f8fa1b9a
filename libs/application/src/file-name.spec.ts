import { sanitiseFileName } from './file-name';

describe('sanitiseFileName', () => {
  it.each([
    ['морковь🥕.jpg', 'морковь🥕.jpg'],
    ['../../../../etc/cron.d/evil.jpg', 'evil.jpg'],
    ['..\\..\\C:\\Windows\\..boot.ini.jpg', 'boot.ini.jpg'],
    ['bell\u0007esc\u001b.jpg', 'bellesc.jpg'], // C0
    ['nel\u0085csi\u009b.jpg', 'nelcsi.jpg'], // C1
    ['photo\u202egpj.exe', 'photogpj.exe'], // bidi override (Cf)
    ['zero\u200bwidth\ufeff\u00ad.png', 'zerowidth.png'], // ZWSP, BOM, soft hyphen (Cf)
    ['line\u2028para\u2029.png', 'linepara.png'],
    ['family👨\u200d👩\u200d👧.png', 'family👨\u200d👩\u200d👧.png'], // ZWJ kept: emoji sequences
    ['e\u0301te\u0301.jpg', 'été.jpg'], // NFC
    ['  . hidden.png  ', 'hidden.png'],
    ['', ''],
  ])('%j → %j', (input, expected) => {
    expect(sanitiseFileName(input)).toBe(expected);
  });

  it('bounds the name to 200 code points without splitting a surrogate pair', () => {
    const out = sanitiseFileName('🥕'.repeat(300));
    expect([...out]).toHaveLength(200);
    expect(out).toBe('🥕'.repeat(200));
    expect(sanitiseFileName(undefined)).toBe('');
  });
});
