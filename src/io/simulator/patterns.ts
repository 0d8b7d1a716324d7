/**
 * The string formats IO's decoders accept (pagopa/io-ts-commons `strings.ts`, `dates.ts`).
 * IO checks the fiscal code by pattern only, never the check letter (FACTS.md §10), so the
 * simulator must do exactly the same: a CF that fails the check letter still reaches IO.
 */

/** `FiscalCode` (FACTS.md §10): upper case only, omocodia letters allowed. */
export const FISCAL_CODE = /^[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$/;

/** `OrganizationFiscalCode` (FACTS.md §10). */
export const ORGANIZATION_FISCAL_CODE = /^[0-9]{11}$/;

/** `PaymentNoticeNumber`, the pagoPA NAV (FACTS.md §10). */
export const NOTICE_NUMBER = /^[0123][0-9]{17}$/;

/** `UtcOnlyIsoDateFromString` | `TimezoneOnlyIsoDateFromString` (FACTS.md §3 `due_date`). */
const UTC_ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z)?$/;
const TZ_ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?[+-](\d{2}):(\d{2})$/;

/** `Ulid` (`third_party_data.configuration_id`): Crockford base32, 26 chars. */
export const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** Simplified e-mail shape, for the deprecated `default_addresses.email`. */
export const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** IO's `IsoDateFromString`: one of the two patterns AND a date JavaScript can parse. */
export function isIoTimestamp(s: string): boolean {
  return (UTC_ISO.test(s) || TZ_ISO.test(s)) && !Number.isNaN(new Date(s).getTime());
}
