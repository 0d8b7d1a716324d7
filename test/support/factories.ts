/** Test data: valid codes and the ente → service → API key chain, registered at the simulator too. */
import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Schema } from '../../src/store/schema.ts';
import { checkFiscalCode } from '../../src/domain/fiscal-code.ts';
import { organizationCheckDigit } from '../../src/domain/organization-fiscal-code.ts';
import { noticeNumberCheckDigits } from '../../src/domain/notice-number.ts';
import { createEnte, type Ente } from '../../src/store/enti.ts';
import { createService, type Service } from '../../src/store/services.ts';
import { createApiKey } from '../../src/store/api-keys.ts';
import type { IoSimulator } from '../../src/io/simulator/index.ts';
import type { SimService } from '../../src/io/simulator/types.ts';

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** The n-th of many distinct valid fiscal codes (surname letters vary with n, check letter computed). */
export function validFiscalCode(n: number): string {
  let x = n;
  let name = '';
  for (let i = 0; i < 6; i++) {
    name += LETTERS[x % 26];
    x = Math.floor(x / 26);
  }
  const base = `${name}80A01H501`;
  for (const c of LETTERS) if (checkFiscalCode(base + c).ok) return base + c;
  throw new Error('no check letter found');
}

export function validOrganizationFiscalCode(n: number): string {
  const first10 = String(8_000_000_000 + n).padStart(10, '0');
  return first10 + organizationCheckDigit(first10);
}

export function validNoticeNumber(n: number): string {
  const first16 = `3010${String(n).padStart(12, '0')}`;
  return first16 + noticeNumberCheckDigits(first16);
}

let counter = 0;
const next = () => ++counter + Math.floor(Math.random() * 1e6);

export async function buildEnte(db: Kysely<Schema>, overrides: Partial<{ fiscalCode: string; name: string; mode: Ente['mode'] }> = {}): Promise<Ente> {
  const n = next();
  return createEnte(db, { fiscalCode: overrides.fiscalCode ?? validOrganizationFiscalCode(n), name: overrides.name ?? `Comune di Prova ${n}`, mode: overrides.mode ?? 'aggregator' });
}

export interface BuiltService {
  service: Service;
  primaryKey: string;
  secondaryKey: string;
}

/** A service in GeNIO and the same service (keys, account) at the simulator. */
export async function buildService(
  db: Kysely<Schema>,
  masterKey: Buffer,
  sim: Pick<IoSimulator, 'addService'> | { addService(s: SimService): Promise<void> } | null,
  ente: Ente,
  overrides: Partial<{ code: string; ioAccount: string; maxPaymentAmount: number; profileCheck: boolean; simMaxPaymentAmount: number }> = {},
): Promise<BuiltService> {
  const primaryKey = crypto.randomBytes(16).toString('hex');
  const secondaryKey = crypto.randomBytes(16).toString('hex');
  const ioServiceId = `01SVC${crypto.randomBytes(8).toString('hex').toUpperCase()}`.slice(0, 26);
  const ioAccount = overrides.ioAccount ?? 'aggregator';
  const service = await createService(db, masterKey, {
    enteId: ente.id,
    code: overrides.code ?? `svc-${next()}`,
    name: 'Servizio di prova',
    ioServiceId,
    primaryKey,
    secondaryKey,
    ioAccount,
    maxPaymentAmount: overrides.maxPaymentAmount ?? 1_000_000,
    profileCheck: overrides.profileCheck,
  });
  await sim?.addService({ serviceId: ioServiceId, account: ioAccount, primaryKey, secondaryKey, maxAllowedPaymentAmount: overrides.simMaxPaymentAmount ?? overrides.maxPaymentAmount ?? 1_000_000, organizationFiscalCode: ente.fiscal_code });
  return { service, primaryKey, secondaryKey };
}

export async function buildApiKey(
  db: Kysely<Schema>,
  masterKey: Buffer,
  ente: Ente,
  overrides: Partial<{ serviceIds: string[]; callbackUrl: string; sandbox: boolean }> = {},
): Promise<{ key: string; id: string; callbackSecret: string | null }> {
  const created = await createApiKey(db, masterKey, { enteId: ente.id, serviceIds: overrides.serviceIds, callbackUrl: overrides.callbackUrl, sandbox: overrides.sandbox });
  return { key: created.key, id: created.apiKey.id, callbackSecret: created.callbackSecret };
}

/** A message body the API accepts. */
export function messageBody(service: string, n = 1, extra: Record<string, unknown> = {}) {
  return {
    service,
    fiscal_code: validFiscalCode(n),
    subject: `Avviso di prova n. ${n}`,
    markdown: `Gentile cittadino, questo è un messaggio di prova numero ${n} inviato da GeNIO per verificare il recapito su IO.`,
    ...extra,
  };
}
