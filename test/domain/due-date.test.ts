import { describe, expect, it } from 'vitest';
import { parseDateTime, parseDueDate, romeWallTimeToUtc, toIoTimestamp } from '../../src/domain/due-date.ts';

function iso(r: ReturnType<typeof parseDueDate>): string {
  if (!r.ok) throw new Error(`expected ok, got ${r.code}: ${r.message}`);
  return toIoTimestamp(r.value);
}

describe('parseDueDate: plain date = 23:59:59 in Italy', () => {
  it.each([
    ['2026-03-28', '2026-03-28T22:59:59Z', 'CET, day before DST starts'],
    ['2026-03-29', '2026-03-29T21:59:59Z', 'CEST, DST starts that day'],
    ['2026-10-24', '2026-10-24T21:59:59Z', 'CEST, day before DST ends'],
    ['2026-10-25', '2026-10-25T22:59:59Z', 'CET again, DST ends that day'],
    ['2026-01-15', '2026-01-15T22:59:59Z', 'winter'],
    ['2026-07-15', '2026-07-15T21:59:59Z', 'summer'],
    ['2024-02-29', '2024-02-29T22:59:59Z', 'leap day'],
    ['2023-03-30', '2023-03-30T21:59:59Z', 'kb example day: DST had started on 2023-03-26'],
    ['2026-12-31', '2026-12-31T22:59:59Z', 'year end'],
    [' 2026-03-29 ', '2026-03-29T21:59:59Z', 'surrounding spaces'],
  ])('%s → %s (%s)', (raw, expected) => {
    expect(iso(parseDueDate(raw))).toBe(expected);
  });
});

describe('parseDueDate: instants and Italian wall times', () => {
  it.each([
    // FACTS §9 docs examples: midnight 1 Oct 2022 (CEST) and midnight 1 Dec 2022 (CET) in Italy
    ['2022-09-30T22:00:00Z', '2022-09-30T22:00:00Z'],
    ['2022-10-01T00:00', '2022-09-30T22:00:00Z'],
    ['2022-11-30T23:00:00Z', '2022-11-30T23:00:00Z'],
    ['2022-12-01T00:00:00', '2022-11-30T23:00:00Z'],
    ['2023-03-30T23:59:59.000Z', '2023-03-30T23:59:59Z'],
    ['2026-03-29T23:59:59+02:00', '2026-03-29T21:59:59Z'],
    ['2026-03-29T10:00-05:30', '2026-03-29T15:30:00Z'],
    ['2026-03-29T10:00:00.999Z', '2026-03-29T10:00:00Z'],
    ['2026-03-29T10:00:00.123456789Z', '2026-03-29T10:00:00Z'],
    ['2026-03-29T01:59', '2026-03-29T00:59:00Z'], // last CET minute
    ['2026-03-29T03:00', '2026-03-29T01:00:00Z'], // first CEST minute
    ['2026-03-29T02:30', '2026-03-29T01:30:00Z'], // in the gap: moved forward to 03:30 CEST
    ['2026-10-25T01:59', '2026-10-24T23:59:00Z'], // CEST
    ['2026-10-25T02:30', '2026-10-25T00:30:00Z'], // ambiguous: first (CEST) occurrence
    ['2026-10-25T03:00', '2026-10-25T02:00:00Z'], // CET
  ])('%s → %s', (raw, expected) => {
    expect(iso(parseDueDate(raw))).toBe(expected);
  });
});

describe('parseDueDate: rejections', () => {
  it.each([
    '2026-02-30',
    '2025-02-29',
    '2026-04-31',
    '2026-13-01',
    '2026-00-10',
    '2026-01-00',
    '0000-01-01',
    '2026-02-30T10:00Z',
    '2026-01-01T24:00Z',
    '2026-01-01T10:60',
    '2026-01-01T10:00:60Z',
    '2026-01-01T10:00+24:00',
    '2026-01-01T10:00+01:60',
  ])('%s → invalid_date', (raw) => {
    const r = parseDueDate(raw);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.code).toBe('invalid_date');
  });

  it.each([
    '',
    'tomorrow',
    '2026/03/29',
    '29-03-2026',
    '2026-3-29',
    '20260329',
    '2026-03-29 10:00',
    '2026-03-29T10Z',
    '2026-03-29T10:00:00+0100',
    '2026-03-29T10:00:00+01',
    '2026-03-29T10:00:00.Z',
    '2026-03-29T10:00:00.5', // fraction without zone is not one of the accepted forms
    '2026-03-29z',
  ])('%j → format', (raw) => {
    const r = parseDueDate(raw);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.code).toBe('format');
  });
});

describe('parseDateTime (used for scheduled_at)', () => {
  it('refuses a plain date', () => {
    const r = parseDateTime('2026-03-29');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.code).toBe('format');
  });

  it.each([
    ['2026-03-29T09:00', '2026-03-29T07:00:00Z'],
    ['2026-03-28T09:00', '2026-03-28T08:00:00Z'],
    ['2026-03-29T09:00:00Z', '2026-03-29T09:00:00Z'],
  ])('%s → %s', (raw, expected) => {
    expect(iso(parseDateTime(raw))).toBe(expected);
  });

  it('reports impossible dates as invalid_date', () => {
    const r = parseDateTime('2026-02-30T10:00');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.code).toBe('invalid_date');
  });
});

describe('romeWallTimeToUtc', () => {
  it.each([
    [[2026, 1, 1, 0, 0, 0], '2025-12-31T23:00:00Z'],
    [[2026, 3, 29, 1, 59, 59], '2026-03-29T00:59:59Z'],
    [[2026, 3, 29, 2, 0, 0], '2026-03-29T01:00:00Z'], // gap start → 03:00 CEST
    [[2026, 3, 29, 2, 59, 59], '2026-03-29T01:59:59Z'], // gap end → 03:59:59 CEST
    [[2026, 3, 29, 3, 0, 0], '2026-03-29T01:00:00Z'],
    [[2026, 10, 25, 2, 0, 0], '2026-10-25T00:00:00Z'], // first of two 02:00
    [[2026, 10, 25, 2, 59, 59], '2026-10-25T00:59:59Z'], // first of two 02:59:59
    [[2026, 10, 25, 3, 0, 0], '2026-10-25T02:00:00Z'],
    [[2027, 3, 28, 12, 0, 0], '2027-03-28T10:00:00Z'], // 2027 DST starts on 28 March
    [[2027, 3, 27, 12, 0, 0], '2027-03-27T11:00:00Z'],
  ] as const)('%j → %s', (args, expected) => {
    const [y, m, d, hh, mm, ss] = args;
    expect(toIoTimestamp(romeWallTimeToUtc(y, m, d, hh, mm, ss))).toBe(expected);
  });

  it('throws on impossible fields instead of rolling over', () => {
    expect(() => romeWallTimeToUtc(2026, 2, 30, 0, 0, 0)).toThrow(RangeError);
    expect(() => romeWallTimeToUtc(2026, 1, 1, 24, 0, 0)).toThrow(RangeError);
  });
});

describe('toIoTimestamp', () => {
  it.each([
    ['2026-03-29T21:59:59.000Z', '2026-03-29T21:59:59Z'],
    ['2026-03-29T21:59:59.999Z', '2026-03-29T21:59:59Z'],
    ['2026-03-29T23:59:59+02:00', '2026-03-29T21:59:59Z'],
  ])('%s → %s', (input, expected) => {
    expect(toIoTimestamp(new Date(input))).toBe(expected);
  });
});
