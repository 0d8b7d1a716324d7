import { describe, expect, it } from 'vitest';
import { cellText } from '../../src/ingest/xlsx-cell.ts';

const text = (value: unknown, numFmt?: string, date1904 = false) => cellText(value, numFmt, date1904);

describe('cellText', () => {
  it('gives empty cells as empty text', () => {
    expect(text(null)).toBe('');
    expect(text(undefined)).toBe('');
  });

  it('keeps strings, decoding OOXML _xHHHH_ escapes once', () => {
    expect(text("Niccolò D'Aquino")).toBe("Niccolò D'Aquino");
    expect(text('riga uno_x000D_\nriga due')).toBe('riga uno\r\nriga due');
    expect(text('codice _x005F_x0041_')).toBe('codice _x0041_'); // a literal "_x0041_" as Excel stores it
  });

  it('writes numbers with a dot, as Excel shows them (15 significant digits)', () => {
    expect(text(1234.56)).toBe('1234.56');
    expect(text(0.1 + 0.2)).toBe('0.3');
    expect(text(12.200000000000001)).toBe('12.2');
    expect(text(-0)).toBe('0');
    expect(text(301000000012345)).toBe('301000000012345');
  });

  it('writes booleans as true/false', () => {
    expect(text(true)).toBe('true');
    expect(text(false)).toBe('false');
  });

  it('writes dates as YYYY-MM-DD and date-times as wall time without zone', () => {
    expect(text(new Date(Date.UTC(2025, 5, 30)))).toBe('2025-06-30');
    expect(text(new Date(Date.UTC(2025, 6, 1, 10, 30)))).toBe('2025-07-01T10:30:00');
    expect(text(new Date(Date.UTC(2025, 6, 1, 10, 29, 59, 999)))).toBe('2025-07-01T10:30:00'); // float day fractions
    expect(text(new Date(Date.UTC(1960, 0, 1)))).toBe('1960-01-01');
  });

  it('joins rich text runs', () => {
    expect(text({ richText: [{ text: 'Società ' }, { font: { bold: true }, text: 'Àgape' }, { text: null }] })).toBe('Società Àgape');
  });

  it('gives a formula its cached result, as a date when the cell is formatted as one', () => {
    expect(text({ formula: 'D2*2', result: 2469.12 })).toBe('2469.12');
    expect(text({ formula: '', result: 'testo' })).toBe('testo'); // a cell sharing another's formula
    expect(text({ sharedFormula: 'A2', result: 7 })).toBe('7');
    expect(text({ formula: 'A1' })).toBe(''); // never calculated
    expect(text({ formula: 'C2+1', result: 45839 }, 'dd/mm/yyyy')).toBe('2025-07-01');
    expect(text({ formula: 'C2+1', result: 45839.4375 }, 'dd/mm/yyyy hh:mm')).toBe('2025-07-01T10:30:00');
    expect(text({ formula: 'C2+1', result: 44377 }, 'dd/mm/yyyy', true)).toBe('2025-07-01'); // 1904 date system
    expect(text({ formula: 'D2*2', result: 45839 }, '#,##0.00 "€"')).toBe('45839');
    expect(text({ formula: 'VLOOKUP(A2;B:C;2)', result: Number.NaN })).toBe(''); // an error result, as exceljs streams it
  });

  it('writes error cells as Excel shows them', () => {
    expect(text({ error: '#N/A' })).toBe('#N/A');
  });
});
