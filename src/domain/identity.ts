/**
 * Who logged in, from the identity provider's claims. SPID and CIE send the fiscal code as
 * `https://attributes.eid.gov.it/fiscal_number` (`TINIT-RSSMRA80A01H501U`); brokers often rename it
 * `fiscal_number` or `fiscalNumber` (DESIGN.md, "Login facts"). The level is the `acr` claim.
 */
import { checkFiscalCode } from './fiscal-code.ts';

export const FISCAL_NUMBER_CLAIMS = ['https://attributes.eid.gov.it/fiscal_number', 'fiscal_number', 'fiscalNumber'] as const;

/** SPID (and CIE OIDC) authentication levels as `acr` values. */
export const SPID_ACR = {
  1: 'https://www.spid.gov.it/SpidL1',
  2: 'https://www.spid.gov.it/SpidL2',
  3: 'https://www.spid.gov.it/SpidL3',
} as const;

const SPID_LEVELS: Readonly<Record<string, number>> = Object.fromEntries(Object.entries(SPID_ACR).map(([level, acr]) => [acr, Number(level)]));

export interface Identity {
  fiscalCode: string;
  name: string | null;
  /** 1–3, or 0 when the provider sent no level GeNIO knows. */
  level: number;
  acr: string | null;
}

export type IdentityResult =
  | { ok: true; identity: Identity }
  | { ok: false; code: 'no_fiscal_code' | 'invalid_fiscal_code' | 'level_too_low'; detail: string };

export function levelOfAcr(acr: unknown): number {
  return typeof acr === 'string' ? SPID_LEVELS[acr] ?? 0 : 0;
}

function text(v: unknown): string | null {
  return typeof v === 'string' && v.trim() ? v.trim() : null;
}

/** The person in `claims` (ID token and userinfo merged), if GeNIO can accept them at `minLevel` (0: any). */
export function identityFromClaims(claims: Record<string, unknown>, minLevel: number): IdentityResult {
  const raw = FISCAL_NUMBER_CLAIMS.map((c) => text(claims[c])).find((v) => v !== null);
  if (!raw) return { ok: false, code: 'no_fiscal_code', detail: `the identity provider sent none of ${FISCAL_NUMBER_CLAIMS.join(', ')}` };
  const checked = checkFiscalCode(raw.replace(/^TINIT-/i, ''));
  if (!checked.ok) return { ok: false, code: 'invalid_fiscal_code', detail: checked.message };
  const acr = text(claims.acr);
  const level = levelOfAcr(acr);
  if (level < minLevel) {
    return { ok: false, code: 'level_too_low', detail: `level ${level || 'unknown'} (${acr ?? 'no acr claim'}); at least ${minLevel} is required` };
  }
  const given = text(claims.given_name);
  const family = text(claims.family_name);
  const name = text(claims.name) ?? ([given, family].filter(Boolean).join(' ') || null);
  return { ok: true, identity: { fiscalCode: checked.value, name, level, acr } };
}
