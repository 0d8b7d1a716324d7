/**
 * One problem with one input field, in a shape every channel (REST API, CSV import, web form)
 * can show to the ente without knowing which rule produced it.
 *
 * `field` is the API JSON path (`fiscal_code`, `payment_data.amount`) so API clients can map it
 * back to their payload; `code` is a stable snake_case identifier that clients may branch on;
 * `message` is human-readable English and may change wording at any time.
 */
export interface FieldError {
  field: string;
  code: string;
  message: string;
}

/**
 * Result of a single-value checker. Checkers return a value instead of throwing because invalid
 * input is an expected outcome here, and the message validator must collect every error at once.
 * On success `value` is the normalized form the rest of GeNIO should store and send to IO.
 */
export type Check<T> = { ok: true; value: T } | { ok: false; code: string; message: string };
