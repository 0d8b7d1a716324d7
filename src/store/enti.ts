/** Enti: the public bodies that send through GeNIO. */
import type { Kysely } from 'kysely';
import type { EnteTable, Schema } from './schema.ts';
import { newId } from './ids.ts';

export type Ente = EnteTable;

export async function createEnte(db: Kysely<Schema>, input: { fiscalCode: string; name: string; mode: Ente['mode'] }, now = Date.now()): Promise<Ente> {
  const ente: Ente = { id: newId(), fiscal_code: input.fiscalCode, name: input.name, mode: input.mode, created_at: now };
  await db.insertInto('enti').values(ente).execute();
  return ente;
}

export async function findEnteByFiscalCode(db: Kysely<Schema>, fiscalCode: string): Promise<Ente | undefined> {
  return db.selectFrom('enti').selectAll().where('fiscal_code', '=', fiscalCode).executeTakeFirst();
}

export async function findEnte(db: Kysely<Schema>, id: string): Promise<Ente | undefined> {
  return db.selectFrom('enti').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listEnti(db: Kysely<Schema>): Promise<Ente[]> {
  return db.selectFrom('enti').selectAll().orderBy('name').execute();
}
