/**
 * Per-service message templates. A template keeps every version it ever had: an edit adds a
 * version, and messages and batches name the version they were rendered from, so what a citizen
 * received can always be told. Deleting hides a template; its versions stay for the record.
 */
import type { Kysely } from 'kysely';
import type { Placeholder, TemplateDefinition } from '../domain/template.ts';
import type { Schema, TemplateTable } from './schema.ts';
import { newId } from './ids.ts';

export interface Template {
  id: string;
  enteId: string;
  serviceId: string;
  name: string;
  version: number;
  definition: TemplateDefinition;
  createdAt: number;
  updatedAt: number;
}

async function withVersion(db: Kysely<Schema>, t: TemplateTable, version: number): Promise<Template | undefined> {
  const v = await db
    .selectFrom('template_versions')
    .selectAll()
    .where('template_id', '=', t.id)
    .where('version', '=', version)
    .executeTakeFirst();
  if (!v) return undefined;
  return {
    id: t.id,
    enteId: t.ente_id,
    serviceId: t.service_id,
    name: t.name,
    version: v.version,
    definition: { subject: v.subject, markdown: v.markdown, placeholders: JSON.parse(v.placeholders) as Placeholder[] },
    createdAt: t.created_at,
    updatedAt: v.created_at,
  };
}

export async function createTemplate(
  db: Kysely<Schema>,
  input: { enteId: string; serviceId: string; name: string; definition: TemplateDefinition },
  now = Date.now(),
): Promise<Template> {
  const id = newId();
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('templates')
      .values({ id, ente_id: input.enteId, service_id: input.serviceId, name: input.name, version: 1, created_at: now, updated_at: now, deleted_at: null })
      .execute();
    await insertVersion(trx, id, 1, input.definition, now);
  });
  return { id, enteId: input.enteId, serviceId: input.serviceId, name: input.name, version: 1, definition: input.definition, createdAt: now, updatedAt: now };
}

async function insertVersion(db: Kysely<Schema>, templateId: string, version: number, d: TemplateDefinition, now: number) {
  await db
    .insertInto('template_versions')
    .values({ template_id: templateId, version, subject: d.subject, markdown: d.markdown, placeholders: JSON.stringify(d.placeholders), created_at: now })
    .execute();
}

/** The template of this ente, at its current version or the one asked for; deleted ones only by version. */
export async function getTemplate(db: Kysely<Schema>, enteId: string, id: string, version?: number): Promise<Template | undefined> {
  const t = await db.selectFrom('templates').selectAll().where('ente_id', '=', enteId).where('id', '=', id).executeTakeFirst();
  if (!t || (t.deleted_at !== null && version === undefined)) return undefined;
  return withVersion(db, t, version ?? t.version);
}

export async function listTemplates(db: Kysely<Schema>, enteId: string, serviceIds: string[] | null): Promise<Template[]> {
  let q = db.selectFrom('templates').selectAll().where('ente_id', '=', enteId).where('deleted_at', 'is', null);
  if (serviceIds) q = serviceIds.length ? q.where('service_id', 'in', serviceIds) : q.where('id', '=', '');
  const rows = await q.orderBy('name').orderBy('id').execute();
  const out: Template[] = [];
  for (const t of rows) {
    const full = await withVersion(db, t, t.version);
    if (full) out.push(full);
  }
  return out;
}

/** A new version; the current one moves under it in one transaction, so two edits never share a number. */
export async function updateTemplate(
  db: Kysely<Schema>,
  enteId: string,
  id: string,
  input: { name: string; definition: TemplateDefinition },
  now = Date.now(),
): Promise<Template | undefined> {
  const updated = await db.transaction().execute(async (trx) => {
    const t = await trx
      .updateTable('templates')
      .set((eb) => ({ version: eb('version', '+', 1), name: input.name, updated_at: now }))
      .where('ente_id', '=', enteId)
      .where('id', '=', id)
      .where('deleted_at', 'is', null)
      .returningAll()
      .executeTakeFirst();
    if (!t) return undefined;
    await insertVersion(trx, id, t.version, input.definition, now);
    return t;
  });
  return updated && withVersion(db, updated, updated.version);
}

export async function deleteTemplate(db: Kysely<Schema>, enteId: string, id: string, now = Date.now()): Promise<boolean> {
  const r = await db
    .updateTable('templates')
    .set({ deleted_at: now, updated_at: now })
    .where('ente_id', '=', enteId)
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
