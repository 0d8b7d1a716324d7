import { describe, expect, it } from 'vitest';
import {
  normalizeDateCell,
  parseEuroAmount,
  parseItalianNumber,
  parseYesNo,
} from '../../src/domain/cell-values.ts';
import { parseDateTime, parseDueDate, toIoTimestamp } from '../../src/domain/due-date.ts';

describe('parseEuroAmount: integer cents', () => {
  it.each([
    ['1.234,56', 123_456],
    ['1234,56', 123_456],
    ['1234.56', 123_456],
    ['1234', 123_400],
    ['€ 1.234,56', 123_456],
    ['€1.234,56', 123_456],
    ['1.234,56 €', 123_456],
    ['1.234,56\u00a0€', 123_456], // Excel's non-breaking space
    ['EUR 12,50', 1_250],
    ['12,50 eur', 1_250],
    ['1.234.567,8', 123_456_780],
    ['  12,5  ', 1_250],
    ['0,29', 29], // 0.29 * 100 is 28.999999999999996 in floating point
    ['0.29', 29],
    ['1,1', 110],
    ['4,35', 435],
    ['1.234', 123_400], // Italian thousands separator, not a decimal point
    ['12.345', 1_234_500],
    ['1.234.567', 123_456_700],
    ['1.23', 123],
    ['1.2', 120],
    ['0', 0],
    ['0,00', 0],
    ['007,5', 750],
    ['99999999,99', 9_999_999_999],
  ])('%j → %d', (raw, cents) => {
    expect(parseEuroAmount(raw)).toEqual({ ok: true, value: cents });
  });

  it.each([
    ['1,234', 'too_many_decimals'], // three decimals: not cents, maybe English thousands
    ['1234,567', 'too_many_decimals'],
    ['1234.567', 'too_many_decimals'], // 4 digits before the point: not a thousands group
    ['0.290', 'too_many_decimals'], // a thousands group cannot follow a leading 0
    ['1.234,567', 'too_many_decimals'],
    ['', 'invalid_amount'],
    ['abc', 'invalid_amount'],
    ['12,', 'invalid_amount'],
    [',50', 'invalid_amount'],
    ['1,234.56', 'invalid_amount'], // English grouping: ambiguous, refused
    ['1.23.4', 'invalid_amount'],
    ['1.2345.678', 'invalid_amount'],
    ['12,34,56', 'invalid_amount'],
    ['1 234,56', 'invalid_amount'],
    ['-5', 'invalid_amount'],
    ['-5,00 €', 'invalid_amount'],
    ['€ -5', 'invalid_amount'],
    ['-€ 5', 'invalid_amount'],
    ['+5', 'invalid_amount'],
    ['5 $', 'invalid_amount'],
    ['1e3', 'invalid_amount'],
    ['9'.repeat(20), 'out_of_range'],
  ])('%j → %s', (raw, code) => {
    const r = parseEuroAmount(raw);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.code).toBe(code);
  });
});

describe('parseItalianNumber', () => {
  it.each([
    ['1.234,5', 1234.5],
    ['1234,5', 1234.5],
    ['1234.5', 1234.5],
    ['12', 12],
    ['-3', -3],
    ['-1.234,5', -1234.5],
    ['0,1', 0.1],
    ['1.234', 1234],
    [' 42 ', 42],
    ['-0', 0],
    ['3,14159', 3.14159],
  ])('%j → %d', (raw, n) => {
    expect(parseItalianNumber(raw)).toEqual({ ok: true, value: n });
  });

  const junk = ['', 'abc', '1,2,3', '1,234.5', '--3', '-', '+3', '12,', '1e3', '9'.repeat(400)];
  it.each(junk)('%j → invalid_number', (raw) => {
    const r = parseItalianNumber(raw);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.code).toBe('invalid_number');
  });
});

describe('parseYesNo', () => {
  const yes = ['si', 'sì', 'Sì', 'SÌ', 'sí', 's', 'S', 'yes', 'YES', 'y', 'true', 'True', 'vero', 'VERO', '1', 'x'];
  it.each([...yes, 'X', ' si '])('%j → true', (raw) => {
    expect(parseYesNo(raw)).toEqual({ ok: true, value: true });
  });

  it.each(['no', 'NO', 'n', 'false', 'FALSE', 'falso', '0', ' no '])('%j → false', (raw) => {
    expect(parseYesNo(raw)).toEqual({ ok: true, value: false });
  });

  it.each(['', ' ', 'forse', 'sii', '2', 'ok', 'nope'])('%j → invalid_boolean', (raw) => {
    const r = parseYesNo(raw);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.code).toBe('invalid_boolean');
  });
});

describe('normalizeDateCell', () => {
  it.each([
    ['31/12/2026', '2026-12-31'],
    ['31-12-2026', '2026-12-31'],
    ['31.12.2026', '2026-12-31'],
    ['1/2/2026', '2026-02-01'], // day first: 1 February
    ['01/02/2026', '2026-02-01'],
    [' 31/12/2026 ', '2026-12-31'],
    ['31/12/2026 18:30', '2026-12-31T18:30:00'],
    ['31/12/2026 18:30:15', '2026-12-31T18:30:15'],
    ['31/12/2026 8:05', '2026-12-31T08:05:00'],
    ['31.12.2026 18.30', '2026-12-31T18:30:00'],
    ['2026-12-31 18:30', '2026-12-31T18:30:00'],
    ['2026-12-31 18:30:15', '2026-12-31T18:30:15'],
    ['31/02/2026', '2026-02-31'], // shape only: the validator reports the impossible date
  ])('%j → %j', (raw, expected) => {
    expect(normalizeDateCell(raw)).toBe(expected);
  });

  const others = ['2026-12-31', '2026-12-31T18:30', '2026-12-31T18:30:00Z', '31/12/26', '31/12-2026', 'domani', ''];
  it.each([...others, '1/1/2026 9'])('%j is returned unchanged', (raw) => {
    expect(normalizeDateCell(raw)).toBe(raw);
  });

  it('produces what parseDueDate reads as a date in Italy', () => {
    const r = parseDueDate(normalizeDateCell('29/03/2026'));
    expect(r.ok && toIoTimestamp(r.value)).toBe('2026-03-29T21:59:59Z');
  });

  it('produces what parseDateTime reads as Italian wall time, across DST', () => {
    const winter = parseDateTime(normalizeDateCell('31/12/2026 18:30'));
    const summer = parseDateTime(normalizeDateCell('30/06/2026 18:30'));
    expect(winter.ok && toIoTimestamp(winter.value)).toBe('2026-12-31T17:30:00Z');
    expect(summer.ok && toIoTimestamp(summer.value)).toBe('2026-06-30T16:30:00Z');
  });

  it('leaves impossible dates for the validator to report', () => {
    const r = parseDueDate(normalizeDateCell('31/02/2026'));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.code).toBe('invalid_date');
  });
});
