import type { Check } from './field-error.ts';

const ELEVEN_DIGITS = /^[0-9]{11}$/;
const TEN_DIGITS = /^[0-9]{10}$/;

/**
 * Check digit of an Italian organization fiscal code / partita IVA from its first 10 digits
 * (Luhn variant, FACTS.md §10): odd positions add as they are, even positions are doubled
 * (minus 9 when over 9), and the check digit brings the total to a multiple of 10.
 * Exported so tests and the simulator can build valid codes. Throws on anything but 10 digits,
 * which is a programming error, not user input.
 */
export function organizationCheckDigit(first10: string): number {
  if (!TEN_DIGITS.test(first10)) {
    throw new RangeError('organizationCheckDigit expects exactly 10 digits');
  }
  let sum = 0;
  for (let i = 0; i < 10; i++) {
    const d = first10.charCodeAt(i) - 48;
    if (i % 2 === 0) {
      sum += d; // 1-based odd position
    } else {
      const doubled = 2 * d;
      sum += doubled > 9 ? doubled - 9 : doubled;
    }
  }
  return (10 - (sum % 10)) % 10;
}

/**
 * Validates the 11-digit fiscal code of a public body (used as payee of payment notices).
 * IO only checks `^[0-9]{11}$`; GeNIO also checks the check digit so that a mistyped payee
 * is caught before pagoPA refuses the payment. On success the value is the trimmed code.
 * Codes: `pattern` (not 11 digits), `check_digit`.
 */
export function checkOrganizationFiscalCode(raw: string): Check<string> {
  const code = raw.trim();
  if (!ELEVEN_DIGITS.test(code)) {
    return {
      ok: false,
      code: 'pattern',
      message: `organization fiscal code must be exactly 11 digits (got ${code.length} characters)`,
    };
  }
  const expected = organizationCheckDigit(code.slice(0, 10));
  if (code.charCodeAt(10) - 48 !== expected) {
    return {
      ok: false,
      code: 'check_digit',
      message: `organization fiscal code check digit is ${code[10]} but should be ${expected}: the code has a typo`,
    };
  }
  return { ok: true, value: code };
}
