import { describe, expect, it } from 'vitest';
import { formatEuro, formatItalianDate, formatItalianNumber } from '../../src/domain/italian-format.ts';

describe('formatItalianDate: the date in Italy', () => {
  it.each([
    ['2026-12-31T12:00:00Z', '31/12/2026', 'plain'],
    ['2026-12-31T22:59:59Z', '31/12/2026', 'last CET second of the year'],
    ['2026-12-31T23:00:00Z', '01/01/2027', 'midnight in Rome is 23:00 UTC in winter'],
    ['2026-12-31T23:30:00Z', '01/01/2027', 'UTC date would be wrong'],
    ['2026-06-30T21:59:59Z', '30/06/2026', 'CEST, still 23:59:59'],
    ['2026-06-30T22:00:00Z', '01/07/2026', 'CEST: midnight is 22:00 UTC'],
    ['2026-03-28T23:00:00Z', '29/03/2026', 'night DST starts'],
    ['2026-03-29T21:59:59Z', '29/03/2026', 'day DST starts, evening'],
    ['2026-03-29T22:00:00Z', '30/03/2026', 'first CEST midnight'],
    ['2026-10-24T22:00:00Z', '25/10/2026', 'night DST ends (CEST midnight)'],
    ['2026-10-25T22:59:59Z', '25/10/2026', 'day DST ends, CET again'],
    ['2026-10-25T23:00:00Z', '26/10/2026', 'first CET midnight'],
    ['2024-02-29T10:00:00Z', '29/02/2024', 'leap day'],
    ['1850-06-01T12:00:00Z', '01/06/1850', 'before whole-hour offsets, not cached'],
  ])('%s → %s (%s)', (iso, expected) => {
    expect(formatItalianDate(new Date(iso))).toBe(expected);
  });

  it('is stable when called twice for the same hour (cache)', () => {
    const d = new Date('2026-12-31T23:45:00Z');
    expect(formatItalianDate(d)).toBe(formatItalianDate(new Date('2026-12-31T23:00:00Z')));
    expect(formatItalianDate(d)).toBe('01/01/2027');
  });

  it('throws on an invalid Date', () => {
    expect(() => formatItalianDate(new Date(NaN))).toThrow(RangeError);
  });
});

describe('formatEuro: cents as € 1.234,56', () => {
  it.each([
    [0, '€ 0,00'],
    [1, '€ 0,01'],
    [29, '€ 0,29'],
    [100, '€ 1,00'],
    [12_345, '€ 123,45'],
    [99_999, '€ 999,99'],
    [100_000, '€ 1.000,00'],
    [123_456, '€ 1.234,56'],
    [123_456_789, '€ 1.234.567,89'],
    [9_999_999_999, '€ 99.999.999,99'],
  ])('%d → %s', (cents, expected) => {
    expect(formatEuro(cents)).toBe(expected);
  });

  it.each([-1, 1.5, NaN, Infinity, Number.MAX_SAFE_INTEGER + 1])('throws on %d', (cents) => {
    expect(() => formatEuro(cents)).toThrow(RangeError);
  });
});

describe('formatItalianNumber', () => {
  it.each([
    [0, '0'],
    [-0, '0'],
    [12, '12'],
    [-3, '-3'],
    [999, '999'],
    [1000, '1000'],
    [2026, '2026'],
    [1234.5, '1234,5'],
    [-1234.5, '-1234,5'],
    [12345.5, '12.345,5'],
    [0.1, '0,1'],
    [0.29, '0,29'],
    [1234567.891, '1.234.567,891'],
    [1e21, '1.000.000.000.000.000.000.000'],
    [1.5e-7, '0,00000015'],
  ])('%d → %s', (n, expected) => {
    expect(formatItalianNumber(n)).toBe(expected);
  });

  it.each([NaN, Infinity, -Infinity])('throws on %d', (n) => {
    expect(() => formatItalianNumber(n)).toThrow(RangeError);
  });
});
