import { describe, expect, it } from 'vitest';
import {
  checkFiscalCode,
  IO_FISCAL_CODE_PATTERN,
  maskFiscalCode,
  normalizeFiscalCode,
} from '../../src/domain/fiscal-code.ts';

// Check letters below were computed by hand/script from the tables in FACTS.md §10.
describe('checkFiscalCode', () => {
  it.each([
    ['RSSMRA79B11C566R', 'man, FACTS vector'],
    ['RSRNOU70S54S000L', 'woman (day 14+40), FACTS vector'],
    ['RSSMRA79B11C56SO', 'omocodia on position 15 (6→S)'],
    ['RSSMRA79B11C5SSA', 'omocodia on positions 14–15'],
    ['RSSMRATVBMMCRSSH', 'omocodia on all seven digit positions'],
    ['RSSMRA79BQMC566Y', 'omocodic woman day (QM = 41)'],
    ['BNCGLI85M41H501Y', 'woman, first day (41)'],
    ['BNCGLI85M71H501B', 'woman, last day (71)'],
    ['RSSMRA79B31C566T', 'day 31'],
    ['AAAAAA00A00A000A', 'IO test citizen (bad check letter and day, allow-listed)'],
  ])('accepts %s (%s)', (cf) => {
    expect(checkFiscalCode(cf)).toEqual({ ok: true, value: cf });
  });

  it.each([
    [' rssmra79b11c566r ', 'RSSMRA79B11C566R'],
    ['rsrnou70s54s000l', 'RSRNOU70S54S000L'],
    ['aaaaaa00a00a000a', 'AAAAAA00A00A000A'],
  ])('normalizes %j to %s', (raw, expected) => {
    expect(checkFiscalCode(raw)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['RSSMRA79B11C566X', 'R'],
    ['RSRNOU70S54S000A', 'L'],
    ['RSSMRA79B11C56SR', 'O'], // omocodic code checked as written, not decoded
    ['RSSMRA79B12C566R', 'W'], // one-digit typo in the day
    ['SPNDNL80R13C555X', 'T'], // IO spec example (FACTS §10)
  ])('rejects wrong check character in %s', (cf, expected) => {
    const r = checkFiscalCode(cf);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.code).toBe('check_character');
      expect(r.message).toContain(`'${expected}'`);
    }
  });

  it.each([
    ['', 'empty'],
    ['RSSMRA79B11C566', '15 characters'],
    ['RSSMRA79B11C566RR', '17 characters'],
    ['RSSMRA79B11C5666', 'digit as check character'],
    ['RSSMR479B11C566R', 'digit in name part'],
    ['RSSMRA7AB11C566R', 'non-omocodia letter in year (A)'],
    ['RSSMRA79B1WC566R', 'non-omocodia letter in day (W)'],
    ['RSSMRA79B117566R', 'digit where Belfiore letter expected'],
    ['RSSMRA79B11C5O6R', 'O is not an omocodia letter'],
    ['RSS MRA79B11C566', 'inner space'],
    ['12345678901', 'organization code'],
    ['RSSMRÀ79B11C566R', 'accented letter'],
  ])('rejects %j with code pattern (%s)', (cf) => {
    const r = checkFiscalCode(cf);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.code).toBe('pattern');
  });

  it.each([
    ['RSSMRA79F11C566E', 'month letter F does not exist'],
    ['RSSMRA79Z11C566R', 'month letter Z does not exist'],
    ['RSSMRA79B00C566R', 'day 00'],
    ['RSSMRA79BLLC566R', 'day LL = 00 after omocodia decoding'],
    ['RSSMRA79B32C566Y', 'day 32'],
    ['RSSMRA79BPNC566Z', 'day PN = 32 after omocodia decoding'],
    ['RSSMRA79B40C566V', 'day 40'],
    ['RSSMRA79B72C566C', 'day 72 (woman 32)'],
    ['RSSMRA79B99C566R', 'day 99'],
  ])('rejects %s with code birth_date (%s)', (cf) => {
    const r = checkFiscalCode(cf);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.code).toBe('birth_date');
  });

  it('accepts day 22 written with omocodia (NN)', () => {
    expect(checkFiscalCode('RSSMRA79BNNC566X').ok).toBe(true);
  });
});

describe('IO_FISCAL_CODE_PATTERN', () => {
  it.each([
    ['RSSMRA79B11C566R', true],
    ['AAAAAA00A00A000A', true],
    ['RSSMRA79F11C566E', false], // IO rejects unknown month letters
    ['rssmra79b11c566r', false], // IO is upper case only
  ])('%s → %s', (cf, expected) => {
    expect(IO_FISCAL_CODE_PATTERN.test(cf)).toBe(expected);
  });
});

describe('normalizeFiscalCode', () => {
  it('trims and upper-cases', () => {
    expect(normalizeFiscalCode('\t rssmra79b11c566r\n')).toBe('RSSMRA79B11C566R');
  });
});

describe('maskFiscalCode', () => {
  it.each([
    ['RSSMRA79B11C566R', 'RSS************R'],
    ['AAAAAA00A00A000A', 'AAA************A'],
    ['RSSMRA79B11C566', '***'],
    ['RSSMRA79B11C566RX', '***'],
    ['', '***'],
  ])('%j → %j', (cf, expected) => {
    const masked = maskFiscalCode(cf);
    expect(masked).toBe(expected);
    if (cf.length === 16) expect(masked).toHaveLength(16);
  });
});
