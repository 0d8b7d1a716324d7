import type { Check } from './field-error.ts';
import { IO_TEST_FISCAL_CODE } from './limits.ts';

/**
 * IO's own codice fiscale regex (`FiscalCode` in pagopa/io-ts-commons, FACTS.md §10). A code that
 * fails it is a hard 400 at IO, so GeNIO must never accept one. Upper case only: normalize first.
 */
export const IO_FISCAL_CODE_PATTERN =
  /^[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$/;

/**
 * IO's pattern with any letter allowed as month, so that a wrong month letter can be reported
 * as a birth-date problem (more useful to the ente) instead of a generic pattern mismatch.
 */
const STRUCTURE_PATTERN = /^[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$/;

/** Month letters January…December (DM 23/12/1976, FACTS.md §10). */
const MONTH_LETTERS = 'ABCDEHLMPRST';

/** Omocodia substitutes for digits 0–9 (FACTS.md §10). */
const OMOCODIA_LETTERS = 'LMNPQRSTUV';

/** Values of characters at odd (1-based) positions in the check-letter sum (FACTS.md §10). */
const ODD_VALUES: Readonly<Record<string, number>> = {
  '0': 1, '1': 0, '2': 5, '3': 7, '4': 9, '5': 13, '6': 15, '7': 17, '8': 19, '9': 21,
  A: 1, B: 0, C: 5, D: 7, E: 9, F: 13, G: 15, H: 17, I: 19, J: 21, K: 2, L: 4, M: 18,
  N: 20, O: 11, P: 3, Q: 6, R: 8, S: 12, T: 14, U: 16, V: 10, W: 22, X: 25, Y: 24, Z: 23,
};

/**
 * Canonical form of a codice fiscale as typed by people or exported by spreadsheets: surrounding
 * spaces removed and upper case, which is the only form IO's regex accepts.
 */
export function normalizeFiscalCode(raw: string): string {
  return raw.trim().toUpperCase();
}

/** Value of a character at an even (1-based) position: digits as themselves, letters A=0…Z=25. */
function evenValue(c: string): number {
  return c >= '0' && c <= '9' ? c.charCodeAt(0) - 48 : c.charCodeAt(0) - 65;
}

/** Check letter of the first 15 characters, computed on the code as written (omocodia included). */
function checkLetter(first15: string): string {
  let sum = 0;
  for (let i = 0; i < 15; i++) {
    const c = first15[i];
    // i is 0-based, so even i is an odd 1-based position.
    sum += i % 2 === 0 ? ODD_VALUES[c] : evenValue(c);
  }
  return String.fromCharCode(65 + (sum % 26));
}

/** Turns omocodia letters back into digits (`L`→0 … `V`→9); digits pass through. */
function decodeDigits(s: string): number {
  let out = '';
  for (const c of s) {
    const i = OMOCODIA_LETTERS.indexOf(c);
    out += i >= 0 ? String(i) : c;
  }
  return Number(out);
}

/**
 * Validates a person's codice fiscale more strictly than IO does (IO checks the regex only), so
 * that typos are caught when the ente submits instead of surfacing days later as a message
 * REJECTED for an unknown citizen. On success the value is the normalized code to send to IO.
 *
 * Codes: `pattern` (not IO's shape, including wrong length), `birth_date` (month letter or day
 * impossible: days are 1–31, or 41–71 for women), `check_character` (wrong 16th letter).
 * IO's test citizen `AAAAAA00A00A000A` is accepted although its check letter and day are wrong,
 * because it is the only recipient a service can use before being enabled (FACTS.md §10).
 */
export function checkFiscalCode(raw: string): Check<string> {
  const cf = normalizeFiscalCode(raw);
  if (cf === IO_TEST_FISCAL_CODE) return { ok: true, value: cf };

  if (!STRUCTURE_PATTERN.test(cf)) {
    return {
      ok: false,
      code: 'pattern',
      message:
        `fiscal code must be 16 characters (6 letters, 2 digits, month letter, 2 digits, letter, ` +
        `3 digits, check letter); got ${cf.length} characters not matching that pattern`,
    };
  }

  const monthLetter = cf[8];
  if (!MONTH_LETTERS.includes(monthLetter)) {
    return {
      ok: false,
      code: 'birth_date',
      message: `fiscal code month letter '${monthLetter}' is not one of ${MONTH_LETTERS.split('').join(' ')}`,
    };
  }

  const day = decodeDigits(cf.slice(9, 11));
  if (!((day >= 1 && day <= 31) || (day >= 41 && day <= 71))) {
    return {
      ok: false,
      code: 'birth_date',
      message: `fiscal code birth day ${String(day).padStart(2, '0')} must be 01–31 (men) or 41–71 (women)`,
    };
  }

  const expected = checkLetter(cf.slice(0, 15));
  if (cf[15] !== expected) {
    return {
      ok: false,
      code: 'check_character',
      message: `fiscal code check character is '${cf[15]}' but should be '${expected}': the code has a typo`,
    };
  }

  // Belt and braces: everything above implies IO's pattern, but IO's regex is the contract.
  if (!IO_FISCAL_CODE_PATTERN.test(cf)) {
    return { ok: false, code: 'pattern', message: 'fiscal code does not match the pattern required by IO' };
  }
  return { ok: true, value: cf };
}

/**
 * Hides a codice fiscale in logs (it is personal data) while keeping enough to correlate lines:
 * first 3 characters and the check letter, e.g. `RSS************R`. Anything that is not 16
 * characters long is fully hidden, since we cannot tell how much of it is identifying.
 */
export function maskFiscalCode(cf: string): string {
  if (cf.length !== 16) return '***';
  return `${cf.slice(0, 3)}${'*'.repeat(12)}${cf[15]}`;
}
