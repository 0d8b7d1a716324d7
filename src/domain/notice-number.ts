import type { Check } from './field-error.ts';

/** IO's `PaymentNoticeNumber` regex: 18 digits, aux digit 0–3 (FACTS.md §10). */
const NOTICE_NUMBER_PATTERN = /^[0123][0-9]{17}$/;
const SIXTEEN_DIGITS = /^[0-9]{16}$/;

/**
 * The two check digits of an aux-digit-3 pagoPA notice number: the first 16 digits read as one
 * integer, modulo 93, zero-padded (SACI, FACTS.md §10). BigInt because 16 digits exceed the safe
 * integer range of a JS number. Exported to build test data; throws on anything but 16 digits.
 */
export function noticeNumberCheckDigits(first16: string): string {
  if (!SIXTEEN_DIGITS.test(first16)) {
    throw new RangeError('noticeNumberCheckDigits expects exactly 16 digits');
  }
  return (BigInt(first16) % 93n).toString().padStart(2, '0');
}

/**
 * Validates a pagoPA notice number (NAV) before it reaches IO, so that a mistyped notice is
 * refused at submission instead of producing a message the citizen cannot pay.
 * Aux digit 3 (the only form current SACI allows) has its mod-93 check digits verified; aux
 * digits 0, 1 and 2 are legacy forms whose layout FACTS.md could not verify, so they are accepted
 * on IO's pattern alone. Codes: `pattern`, `check_digits`. The value is the trimmed number.
 */
export function checkNoticeNumber(raw: string): Check<string> {
  const nav = raw.trim();
  if (!NOTICE_NUMBER_PATTERN.test(nav)) {
    return {
      ok: false,
      code: 'pattern',
      message: `notice number must be 18 digits starting with 0, 1, 2 or 3 (got ${nav.length} characters)`,
    };
  }
  if (nav[0] === '3') {
    const expected = noticeNumberCheckDigits(nav.slice(0, 16));
    if (nav.slice(16) !== expected) {
      return {
        ok: false,
        code: 'check_digits',
        message: `notice number check digits are ${nav.slice(16)} but should be ${expected}: the number has a typo`,
      };
    }
  }
  return { ok: true, value: nav };
}
