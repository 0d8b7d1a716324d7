import { describe, expect, it } from 'vitest';
import { checkNoticeNumber, noticeNumberCheckDigits } from '../../src/domain/notice-number.ts';

describe('checkNoticeNumber', () => {
  it.each([
    ['301011100007347557', 'aux 3, IO docs example'],
    ['302123456789012356', 'aux 3, computed'],
    ['399999999999999903', 'aux 3, largest base'],
    ['012345678901234567', 'aux 0 legacy, pattern only'],
    ['100000000000000000', 'aux 1 legacy, pattern only'],
    ['299999999999999999', 'aux 2 legacy, pattern only'],
  ])('accepts %s (%s)', (nav) => {
    expect(checkNoticeNumber(nav)).toEqual({ ok: true, value: nav });
  });

  it('trims surrounding spaces', () => {
    expect(checkNoticeNumber(' 301011100007347557\n')).toEqual({ ok: true, value: '301011100007347557' });
  });

  it.each([
    ['301011100007347558', '57'],
    ['301011100007347575', '57'], // swapped check digits
    ['301011100007347657', '58'], // typo in the IUV base: 3010111000073476 mod 93 = 58
  ])('rejects %s with check_digits (expected %s)', (nav, expected) => {
    const r = checkNoticeNumber(nav);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.code).toBe('check_digits');
      expect(r.message).toContain(`should be ${expected}`);
    }
  });

  it.each([
    ['30101110000734755', '17 digits'],
    ['3010111000073475570', '19 digits'],
    ['401011100007347557', 'aux digit 4'],
    ['901011100007347557', 'aux digit 9'],
    ['30101110000734755A', 'letter'],
    ['3010-1110000734755', 'dash'],
    ['', 'empty'],
  ])('rejects %j with pattern (%s)', (nav) => {
    const r = checkNoticeNumber(nav);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.code).toBe('pattern');
  });
});

describe('noticeNumberCheckDigits', () => {
  it.each([
    ['3010111000073475', '57'],
    ['3021234567890123', '56'],
    ['3999999999999999', '03'], // zero-padded; also beyond Number.MAX_SAFE_INTEGER
    ['3010111000073476', '58'],
  ])('%s → %s', (first16, expected) => {
    expect(noticeNumberCheckDigits(first16)).toBe(expected);
  });

  it('throws on input that is not 16 digits', () => {
    expect(() => noticeNumberCheckDigits('301011100007347')).toThrow(RangeError);
  });
});
