import { describe, expect, it } from 'vitest';
import { identityFromClaims, levelOfAcr } from '../../src/domain/identity.ts';

const L2 = 'https://www.spid.gov.it/SpidL2';

describe('identityFromClaims', () => {
  it.each([
    ['https://attributes.eid.gov.it/fiscal_number', 'TINIT-RSSMRA80A01H501U'],
    ['fiscal_number', 'TINIT-RSSMRA80A01H501U'],
    ['fiscal_number', 'RSSMRA80A01H501U'],
    ['fiscalNumber', 'tinit-rssmra80a01h501u'],
    ['fiscal_number', '  RSSMRA80A01H501U '],
  ])('reads %s = %j', (claim, value) => {
    const r = identityFromClaims({ [claim]: value, acr: L2, given_name: 'Mario', family_name: 'Rossi' }, 2);
    expect(r).toEqual({ ok: true, identity: { fiscalCode: 'RSSMRA80A01H501U', name: 'Mario Rossi', level: 2, acr: L2 } });
  });

  it('prefers the name claim and accepts no name at all', () => {
    expect(identityFromClaims({ fiscal_number: 'RSSMRA80A01H501U', acr: L2, name: 'Mario R.' }, 2)).toMatchObject({ identity: { name: 'Mario R.' } });
    expect(identityFromClaims({ fiscal_number: 'RSSMRA80A01H501U', acr: L2 }, 2)).toMatchObject({ identity: { name: null } });
  });

  it.each([
    [{}, 'no_fiscal_code'],
    [{ fiscal_number: '' }, 'no_fiscal_code'],
    [{ fiscal_number: 42 }, 'no_fiscal_code'],
    [{ fiscal_number: 'TINIT-RSSMRA80A01H501X' }, 'invalid_fiscal_code'],
    [{ fiscal_number: 'RSSMRA80A01H501U', acr: 'https://www.spid.gov.it/SpidL1' }, 'level_too_low'],
    [{ fiscal_number: 'RSSMRA80A01H501U' }, 'level_too_low'],
    [{ fiscal_number: 'RSSMRA80A01H501U', acr: 'urn:something:else' }, 'level_too_low'],
  ])('refuses %j with %s', (claims, code) => {
    expect(identityFromClaims(claims, 2)).toMatchObject({ ok: false, code });
  });

  it('minimum level 0 accepts a provider that sends no level', () => {
    expect(identityFromClaims({ fiscal_number: 'RSSMRA80A01H501U' }, 0)).toMatchObject({ ok: true, identity: { level: 0, acr: null } });
  });

  it.each([
    ['https://www.spid.gov.it/SpidL1', 1],
    ['https://www.spid.gov.it/SpidL2', 2],
    ['https://www.spid.gov.it/SpidL3', 3],
    ['SpidL2', 0],
    [undefined, 0],
  ])('level of %s is %i', (acr, level) => expect(levelOfAcr(acr)).toBe(level));
});
