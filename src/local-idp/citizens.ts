/**
 * The test citizens of the local identity provider. Each one carries the fiscal code in a different
 * shape, as real SPID/CIE brokers do (DESIGN.md "Login facts"), so that the web UI's login is
 * exercised against all of them; one is at SPID level 1, which GeNIO must refuse.
 */

import { FISCAL_NUMBER_CLAIMS, SPID_ACR } from '../domain/identity.ts';

export { FISCAL_NUMBER_CLAIMS, SPID_ACR };

/** Every `acr` value the local IdP can issue. */
export const SPID_ACR_VALUES: readonly string[] = Object.values(SPID_ACR);

/** One of {@link FISCAL_NUMBER_CLAIMS}. */
export type FiscalNumberClaim = (typeof FISCAL_NUMBER_CLAIMS)[number];

/** A simulated person who can log in at the local IdP. */
export interface TestCitizen {
  /** Account id, also the `sub` claim (opaque, as SPID's is). */
  readonly id: string;
  readonly givenName: string;
  readonly familyName: string;
  /** The bare, valid codice fiscale. */
  readonly fiscalCode: string;
  /** SPID level, 1–3. */
  readonly level: 1 | 2 | 3;
  /** Name of the claim carrying the fiscal code for this citizen. */
  readonly fiscalClaim: FiscalNumberClaim;
  /** Value of that claim exactly as sent (with or without `TINIT-`). */
  readonly fiscalClaimValue: string;
}

/** The test citizens, in the order the login page lists them. */
export const TEST_CITIZENS: readonly TestCitizen[] = Object.freeze([
  {
    id: 'cittadino-mario-rossi',
    givenName: 'Mario',
    familyName: 'Rossi',
    fiscalCode: 'RSSMRA80A01H501U',
    level: 2,
    fiscalClaim: 'https://attributes.eid.gov.it/fiscal_number',
    fiscalClaimValue: 'TINIT-RSSMRA80A01H501U',
  },
  {
    id: 'cittadina-giulia-bianchi',
    givenName: 'Giulia',
    familyName: 'Bianchi',
    fiscalCode: 'BNCGLI85M52F205H',
    level: 2,
    fiscalClaim: 'fiscal_number',
    fiscalClaimValue: 'TINIT-BNCGLI85M52F205H',
  },
  {
    id: 'cittadino-luca-verdi',
    givenName: 'Luca',
    familyName: 'Verdi',
    fiscalCode: 'VRDLCU72D15L219S',
    level: 3,
    fiscalClaim: 'fiscal_number',
    fiscalClaimValue: 'VRDLCU72D15L219S',
  },
  {
    id: 'cittadina-sofia-ferrari',
    givenName: 'Sofia',
    familyName: 'Ferrari',
    fiscalCode: 'FRRSFO90T64A662D',
    level: 2,
    fiscalClaim: 'fiscalNumber',
    fiscalClaimValue: 'TINIT-FRRSFO90T64A662D',
  },
  {
    id: 'cittadino-giovanni-esposito',
    givenName: 'Giovanni',
    familyName: 'Esposito',
    fiscalCode: 'SPSGNN65C10F839X',
    level: 1,
    fiscalClaim: 'https://attributes.eid.gov.it/fiscal_number',
    fiscalClaimValue: 'TINIT-SPSGNN65C10F839X',
  },
] satisfies TestCitizen[]);

/** Full name as shown on the login page and sent in `name`. */
export function citizenName(c: TestCitizen): string {
  return `${c.givenName} ${c.familyName}`;
}

/** The citizen's `acr` value. */
export function citizenAcr(c: TestCitizen): string {
  return SPID_ACR[c.level];
}

/** The claims released for the citizen (`sub`, profile, fiscal code in its own shape). */
export function citizenClaims(c: TestCitizen): { sub: string; [claim: string]: string } {
  return {
    sub: c.id,
    given_name: c.givenName,
    family_name: c.familyName,
    name: citizenName(c),
    [c.fiscalClaim]: c.fiscalClaimValue,
  };
}

/** Finds a citizen by account id. */
export function findCitizen(id: string): TestCitizen | undefined {
  return TEST_CITIZENS.find((c) => c.id === id);
}
