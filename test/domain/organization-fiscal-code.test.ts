import { describe, expect, it } from 'vitest';
import {
  checkOrganizationFiscalCode,
  organizationCheckDigit,
} from '../../src/domain/organization-fiscal-code.ts';

describe('checkOrganizationFiscalCode', () => {
  it.each([
    ['00907501001', 'IO docs example'],
    ['02438750586', 'Roma Capitale'],
    ['12345678903', 'spec example with the right check digit'],
    ['80012345676', 'body without VAT (starts with 8)'],
    ['97000000006', 'body without VAT (starts with 9)'],
    ['00000000000', 'all zeros'],
  ])('accepts %s (%s)', (code) => {
    expect(checkOrganizationFiscalCode(code)).toEqual({ ok: true, value: code });
  });

  it('trims surrounding spaces', () => {
    expect(checkOrganizationFiscalCode(' 00907501001 ')).toEqual({ ok: true, value: '00907501001' });
  });

  it.each([
    ['12345678901', '3'],
    ['00907501002', '1'],
    ['02438750585', '6'],
  ])('rejects %s with check_digit (expected %s)', (code, expected) => {
    const r = checkOrganizationFiscalCode(code);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.code).toBe('check_digit');
      expect(r.message).toContain(`should be ${expected}`);
    }
  });

  it.each(['', '0090750100', '009075010011', '0090750100A', 'RSSMRA79B11C566R', '00907 01001', '００907501001'])(
    'rejects %j with pattern',
    (code) => {
      const r = checkOrganizationFiscalCode(code);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.code).toBe('pattern');
    },
  );
});

describe('organizationCheckDigit', () => {
  it.each([
    ['0090750100', 1],
    ['1234567890', 3],
    ['0243875058', 6],
    ['8001234567', 6],
    ['0000000000', 0],
    ['0123456789', 7],
  ])('%s → %d', (first10, expected) => {
    expect(organizationCheckDigit(first10)).toBe(expected);
  });

  it('throws on input that is not 10 digits', () => {
    expect(() => organizationCheckDigit('123')).toThrow(RangeError);
  });
});
