/** Retention: finished messages lose their fiscal code and text after the retention; recent ones keep them. */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { openDatabase, type Database } from '../../src/store/db.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { acceptMessages, type AcceptInput } from '../../src/store/messages/accept.ts';
import { purgePersonalData } from '../../src/store/retention.ts';
import { insertBatch } from '../../src/store/batches/create.ts';
import { newId } from '../../src/store/ids.ts';
import { DB_KINDS, freshDatabaseUrl } from '../support/genio.ts';
import { buildEnte, buildService, validFiscalCode } from '../support/factories.ts';

describe.each(DB_KINDS)('retention on %s', (kind) => {
  let database: Database;
  let url: string;
  let drop: () => Promise<void>;
  let input: (n: number, key?: string) => AcceptInput;
  let ids: { ente: string; service: string };
  beforeAll(async () => {
    ({ url, drop } = await freshDatabaseUrl(kind));
    database = await openDatabase(url);
    await migrateToLatest(database);
    const ente = await buildEnte(database.db);
    const { service } = await buildService(database.db, crypto.randomBytes(32), null, ente);
    ids = { ente: ente.id, service: service.id };
    input = (n, key) => ({
      enteId: ente.id, service, apiKey: null, priority: 1,
      message: { fiscalCode: validFiscalCode(n), subject: 'Oggetto di prova', markdown: `Testo personale numero ${n} `.padEnd(90, '.'), dueDate: null, payment: null, scheduledAt: null, reference: `r${n}` },
      idempotency: key ? { key, requestHash: 'h' } : undefined,
    });
  });
  afterAll(async () => {
    await database?.close();
    await drop?.();
  });

  it('masks the fiscal code and empties the text of old finished messages, keeps the rest', async () => {
    const day = 86_400_000;
    const now = Date.now();
    const [oldDone, oldQueued, recentDone, oldUnknown, oldPolling] = await acceptMessages(database.db, [input(1, 'old'), input(2), input(3), input(4), input(5)], now - 100 * day);
    const id = (r: typeof oldDone) => (r.kind === 'created' ? r.message.id : '');
    await database.db.updateTable('messages').set({ status: 'delivered', final_at: now - 95 * day }).where('id', '=', id(oldDone)).execute();
    await database.db.updateTable('messages').set({ status: 'delivered', final_at: now - day }).where('id', '=', id(recentDone)).execute();
    // Sent long ago: one whose polling gave up (outcome unknown for good), one still to be polled.
    await database.db.updateTable('messages').set({ status: 'sent', due_at: null, updated_at: now - 95 * day }).where('id', '=', id(oldUnknown)).execute();
    await database.db.updateTable('messages').set({ status: 'sent', due_at: now, updated_at: now - 95 * day }).where('id', '=', id(oldPolling)).execute();

    const r = await purgePersonalData(database, { cutoff: now - 90 * day, now });
    expect(r.messages).toBe(2);
    expect(r.idempotencyKeys).toBe(1);
    const rows = await database.db.selectFrom('messages').select(['id', 'fiscal_code', 'markdown', 'status', 'purged_at']).execute();
    const byId = new Map(rows.map((m) => [m.id, m]));
    expect(byId.get(id(oldDone))).toMatchObject({ fiscal_code: `${validFiscalCode(1).slice(0, 3)}************${validFiscalCode(1).slice(-1)}`, markdown: '', status: 'delivered' });
    expect(byId.get(id(oldDone))!.purged_at).not.toBeNull();
    expect(byId.get(id(oldUnknown))!.fiscal_code).not.toBe(validFiscalCode(4));
    expect(byId.get(id(oldPolling))!.fiscal_code).toBe(validFiscalCode(5));
    // Not finished, or finished recently: untouched.
    expect(byId.get(id(oldQueued))!.fiscal_code).toBe(validFiscalCode(2));
    expect(byId.get(id(recentDone))!.fiscal_code).toBe(validFiscalCode(3));
    expect((await purgePersonalData(database, { cutoff: now - 90 * day, now })).messages).toBe(0);

    if (kind === 'sqlite') {
      await sql`vacuum`.execute(database.db);
      await sql`pragma wal_checkpoint(TRUNCATE)`.execute(database.db);
      const file = fs.readFileSync(url);
      expect(file.includes(Buffer.from(validFiscalCode(1)))).toBe(false);
      expect(file.includes(Buffer.from('Testo personale numero 1 '))).toBe(false);
      expect(file.includes(Buffer.from(validFiscalCode(3)))).toBe(true);
    }
  });

  it("drops the rows and errors of batches finished before the retention, keeping their counts", async () => {
    const day = 86_400_000;
    const now = Date.now();
    const batch = async (finishedAt: number) => {
      const b = await insertBatch(database.db, {
        id: newId(), ente_id: ids.ente, service_id: ids.service, api_key_id: null, template_id: null, template_version: null, source: 'csv',
        file_name: 'x.csv', file_sha256: crypto.randomBytes(32).toString('hex'), file_size: 1, file_path: null, scheduled_at: null,
        check_only: 0, send_valid_only: 0, idempotency_key: null, request_hash: null,
      }, finishedAt - day);
      await database.db.updateTable('batches').set({ status: 'done', finished_at: finishedAt, valid_rows: 1 }).where('id', '=', b.id).execute();
      await database.db.insertInto('batch_rows').values({ batch_id: b.id, row_number: 2, fiscal_code: validFiscalCode(9), payload: '{}', error: null }).execute();
      await database.db.insertInto('batch_errors').values({ batch_id: b.id, row_number: 3, column_name: 'codice_fiscale', code: 'pattern', message: 'x', value: 'RSSMRA' }).execute();
      return b.id;
    };
    const old = await batch(now - 91 * day);
    const recent = await batch(now - day);
    const r = await purgePersonalData(database, { cutoff: now - 90 * day, now });
    expect(r.batches).toBe(1);
    const left = await database.db.selectFrom('batch_rows').select('batch_id').execute();
    expect(left.map((x) => x.batch_id)).toEqual([recent]);
    const errors = await database.db.selectFrom('batch_errors').select('batch_id').execute();
    expect(errors.map((x) => x.batch_id)).toEqual([recent]);
    expect((await database.db.selectFrom('batches').select('valid_rows').where('id', '=', old).executeTakeFirstOrThrow()).valid_rows).toBe(1);
  });
});
