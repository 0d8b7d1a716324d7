/** An ente's IO services, each with its pair of IO keys (encrypted) and the IO account it spends. */
import type { Kysely } from 'kysely';
import type { Schema, ServiceTable } from './schema.ts';
import { newId } from './ids.ts';
import { ShortCache } from './short-cache.ts';
import { decryptSecret, encryptSecret } from './secrets.ts';
import { ensureIoAccount } from './io-accounts.ts';

export type Service = ServiceTable;

export interface NewService {
  enteId: string;
  code: string;
  name: string;
  ioServiceId: string;
  primaryKey: string;
  secondaryKey: string;
  ioAccount: string;
  maxPaymentAmount?: number;
  profileCheck?: boolean;
}

export async function createService(db: Kysely<Schema>, masterKey: Buffer, input: NewService, now = Date.now()): Promise<Service> {
  await ensureIoAccount(db, input.ioAccount, now);
  const service: Service = {
    id: newId(),
    ente_id: input.enteId,
    code: input.code,
    name: input.name,
    io_service_id: input.ioServiceId,
    primary_key_enc: encryptSecret(masterKey, input.primaryKey),
    secondary_key_enc: encryptSecret(masterKey, input.secondaryKey),
    io_account: input.ioAccount,
    max_payment_amount: input.maxPaymentAmount ?? 0,
    profile_check: input.profileCheck === false ? 0 : 1,
    key_in_use: 'primary',
    flagged_reason: null,
    flagged_at: null,
    created_at: now,
  };
  await db.insertInto('services').values(service).execute();
  return service;
}

/** Services change rarely (created, or their key switched): a found one is reused for a second. */
const byCode = new ShortCache<Service>(1000);

export async function findServiceByCode(db: Kysely<Schema>, enteId: string, code: string): Promise<Service | undefined> {
  return byCode.get(db, `${enteId}\u0000${code}`, () => db.selectFrom('services').selectAll().where('ente_id', '=', enteId).where('code', '=', code).executeTakeFirst());
}

export async function listServices(db: Kysely<Schema>, enteId?: string): Promise<Service[]> {
  let q = db.selectFrom('services').selectAll();
  if (enteId) q = q.where('ente_id', '=', enteId);
  return q.orderBy('ente_id').orderBy('code').execute();
}

export async function getService(db: Kysely<Schema>, id: string): Promise<Service | undefined> {
  return db.selectFrom('services').selectAll().where('id', '=', id).executeTakeFirst();
}

export function serviceKeys(masterKey: Buffer, s: Service): { primary: string; secondary: string } {
  return { primary: decryptSecret(masterKey, s.primary_key_enc), secondary: decryptSecret(masterKey, s.secondary_key_enc) };
}

/** IO refused the primary key: use the secondary from now on. */
export async function switchToSecondaryKey(db: Kysely<Schema>, serviceId: string, reason: string, now = Date.now()): Promise<void> {
  await db
    .updateTable('services')
    .set({ key_in_use: 'secondary', flagged_reason: reason, flagged_at: now })
    .where('id', '=', serviceId)
    .execute();
  byCode.clear(db);
}

/** Raises the alert on a service (both keys refused, or another problem an operator must fix). */
export async function flagService(db: Kysely<Schema>, serviceId: string, reason: string, now = Date.now()): Promise<void> {
  await db.updateTable('services').set({ flagged_reason: reason, flagged_at: now }).where('id', '=', serviceId).execute();
  byCode.clear(db);
}
