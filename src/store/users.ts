/**
 * People and their roles. One role per person and ente (granting again replaces it); an admin
 * role covers the whole aggregator. The web UI asks `rolesOf` at login and on every request.
 */
import type { Kysely } from 'kysely';
import type { Schema, UserRole, UserTable } from './schema.ts';
import { newId } from './ids.ts';

export type User = UserTable;

/** `ente_id` of the aggregator-wide admin role. */
export const ALL_ENTI = '*';

export async function findUserByFiscalCode(db: Kysely<Schema>, fiscalCode: string): Promise<User | undefined> {
  return db.selectFrom('users').selectAll().where('fiscal_code', '=', fiscalCode).executeTakeFirst();
}

/** Gives `role` on `enteId` (or ALL_ENTI for admin), creating the person if new; returns the role it replaced. */
export async function grantRole(
  db: Kysely<Schema>,
  input: { fiscalCode: string; name: string | null; enteId: string; role: UserRole },
  now = Date.now(),
): Promise<{ user: User; previous: UserRole | null }> {
  return db.transaction().execute(async (trx) => {
    let user = await findUserByFiscalCode(trx, input.fiscalCode);
    if (!user) {
      user = { id: newId(), fiscal_code: input.fiscalCode, name: input.name, created_at: now, last_login_at: null };
      await trx.insertInto('users').values(user).execute();
    } else if (input.name && input.name !== user.name) {
      await trx.updateTable('users').set({ name: input.name }).where('id', '=', user.id).execute();
      user = { ...user, name: input.name };
    }
    const prior = await trx.selectFrom('user_roles').select('role').where('user_id', '=', user.id).where('ente_id', '=', input.enteId).executeTakeFirst();
    if (prior) await trx.updateTable('user_roles').set({ role: input.role, granted_at: now }).where('user_id', '=', user.id).where('ente_id', '=', input.enteId).execute();
    else await trx.insertInto('user_roles').values({ user_id: user.id, ente_id: input.enteId, role: input.role, granted_at: now }).execute();
    return { user, previous: prior?.role ?? null };
  });
}

/** Removes the person's role on `enteId` (or ALL_ENTI); true if there was one. */
export async function revokeRole(db: Kysely<Schema>, fiscalCode: string, enteId: string): Promise<boolean> {
  const user = await findUserByFiscalCode(db, fiscalCode);
  if (!user) return false;
  const r = await db.deleteFrom('user_roles').where('user_id', '=', user.id).where('ente_id', '=', enteId).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** Every role of a person, by ente id (ALL_ENTI for admin). */
export async function rolesOf(db: Kysely<Schema>, fiscalCode: string): Promise<Array<{ enteId: string; role: UserRole }>> {
  const rows = await db
    .selectFrom('user_roles')
    .innerJoin('users', 'users.id', 'user_roles.user_id')
    .select(['user_roles.ente_id', 'user_roles.role'])
    .where('users.fiscal_code', '=', fiscalCode)
    .orderBy('user_roles.ente_id')
    .execute();
  return rows.map((r) => ({ enteId: r.ente_id, role: r.role }));
}

export async function listGrants(db: Kysely<Schema>, enteId?: string) {
  let q = db
    .selectFrom('user_roles')
    .innerJoin('users', 'users.id', 'user_roles.user_id')
    .select(['users.fiscal_code', 'users.name', 'user_roles.ente_id', 'user_roles.role', 'user_roles.granted_at']);
  if (enteId) q = q.where('user_roles.ente_id', '=', enteId);
  return q.orderBy('user_roles.ente_id').orderBy('users.name').execute();
}
