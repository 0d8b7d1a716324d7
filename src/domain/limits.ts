/**
 * Numeric limits of the IO message contract, kept in one place so the API, the CSV import,
 * the web forms and the IO simulator reject exactly what IO would reject.
 *
 * All string lengths are JavaScript `.length` values (UTF-16 code units), because that is how
 * IO measures them (`WithinRangeString` in pagopa/io-ts-commons, FACTS.md §3): an emoji counts 2.
 */

/** Minimum `content.subject` length accepted by IO (FACTS.md §3, §9). */
export const SUBJECT_MIN = 10;

/** Maximum `content.subject` length accepted by IO (FACTS.md §3, §9). */
export const SUBJECT_MAX = 120;

/** Minimum `content.markdown` length accepted by IO (FACTS.md §3, §9). */
export const MARKDOWN_MIN = 80;

/** Maximum `content.markdown` length accepted by IO (FACTS.md §3, §9). */
export const MARKDOWN_MAX = 10000;

/** Smallest `payment_data.amount` in euro cents accepted by IO (FACTS.md §3, §10). */
export const AMOUNT_MIN = 1;

/** Largest `payment_data.amount` in euro cents accepted by IO (FACTS.md §3, §10). */
export const AMOUNT_MAX = 9_999_999_999;

/**
 * Maximum length of the ente's own `reference` for a message. This is GeNIO's limit, not IO's
 * (IO never sees the reference): it bounds what we store and index per message.
 */
export const REFERENCE_MAX = 200;

/**
 * IO's sandbox citizen (FACTS.md §2, §9). Services not yet enabled for real citizens can only
 * reach this code, and it fails the check-letter algorithm, so it must be allow-listed (§10).
 */
export const IO_TEST_FISCAL_CODE = 'AAAAAA00A00A000A';
