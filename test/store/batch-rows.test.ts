/**
 * A batch check's chunks stored and read back exactly, on each database: on PostgreSQL the rows
 * travel as jsonb's binary input (store/batches/check.ts), so every kind of text must survive it.
 */
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/db.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { insertBatch } from '../../src/store/batches/create.ts';
import { claimBatchToCheck, saveCheckedChunk, type CheckedRow } from '../../src/store/batches/check.ts';
import { newId } from '../../src/store/ids.ts';
import { buildEnte, buildService } from '../support/factories.ts';
import { DB_KINDS, freshDatabaseUrl } from '../support/genio.ts';

const TEXTS = [
  'Gentile contribuente, è disponibile l\'avviso: € 1.234,56 entro il 31/01/2027',
  'virgolette "doppie", barra \\ rovescia, tab\tе a capo\nfine',
  'emoji 🇮🇹 e 𝄞, CJK 漢字, combining e\u0301',
  '{"f":"RSSMRA80A01H501U","s":"a JSON payload as text"}',
  '�',
];

describe.each(DB_KINDS)('a checked chunk stored on %s', (kind) => {
  it('keeps every row, every character, and nulls as nulls', async () => {
    const { url, drop } = await freshDatabaseUrl(kind);
    const database = await openDatabase(url);
    try {
      await migrateToLatest(database);
      const ente = await buildEnte(database.db);
      const { service } = await buildService(database.db, Buffer.alloc(32, 7), null, ente, { code: 'tari' });
      const batch = await insertBatch(database.db, {
        id: newId(), ente_id: ente.id, service_id: service.id, api_key_id: null, template_id: null, template_version: null, source: 'csv',
        file_name: 'a.csv', file_sha256: 'a'.repeat(64), file_size: 1, file_path: '/nonexistent', scheduled_at: null,
        check_only: 1, send_valid_only: 0, idempotency_key: null, request_hash: null,
      });
      const now = Date.now();
      expect(await claimBatchToCheck(database.db, 'me', now, 60_000)).toBeDefined();
      const rows: CheckedRow[] = Array.from({ length: 1200 }, (_, i) => (i % 3 === 2
        ? [i + 2, null, null, `testo: ${TEXTS[i % TEXTS.length]}`]
        : [i + 2, 'RSSMRA80A01H501U', TEXTS[i % TEXTS.length], null]));
      const counts = { total_rows: 1200, valid_rows: 800, invalid_rows: 400, empty_rows: 0, duplicate_rows: 0, error_count: 0 };
      expect(await saveCheckedChunk(database.db, batch.id, 'me', { rows, errors: [], counts, lastRow: 1201 }, now, 60_000)).toBe(true);
      const stored = await database.db.selectFrom('batch_rows').select(['row_number', 'fiscal_code', 'payload', 'error']).where('batch_id', '=', batch.id).orderBy('row_number').execute();
      expect(stored.map((r) => [r.row_number, r.fiscal_code, r.payload, r.error])).toEqual(rows);
    } finally {
      await database.close();
      await drop();
    }
  });
});
