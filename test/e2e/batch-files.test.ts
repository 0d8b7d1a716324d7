/**
 * The real-world-shaped files of test/fixtures/batches through the whole upload and check, as an
 * ente sends them: an Italian Excel export in Windows-1252, UTF-8 with BOM and `,`, quoted
 * multi-line markdown, blank lines, trailing separators, a header alone, a wrong header, broken
 * quotes, an empty file, and an XLSX workbook.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DB_KINDS, startTestGenio, type TestGenio } from '../support/genio.ts';
import { validFiscalCode, validNoticeNumber } from '../support/factories.ts';
import { insertBatch } from '../../src/store/batches/create.ts';
import { newId } from '../../src/store/ids.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/batches');
const TEXT = "Gentile contribuente, è disponibile l'avviso di pagamento della TARI 2026. Può pagarlo con pagoPA dall'app IO.";

describe('batch files', () => {
  let t: TestGenio;
  beforeAll(async () => {
    t = await startTestGenio({ sim: { rateLimit: null }, config: { ioBudget: null } });
  });
  afterAll(async () => t?.close());

  async function check(name: string, content?: Buffer) {
    const up = await t.upload('/api/v1/batches', { service: 'tari', check_only: 'true', allow_duplicate: 'true' }, { name, content: content ?? fs.readFileSync(path.join(FIXTURES, name)) });
    expect(up.status, JSON.stringify(up.body)).toBe(202);
    const batch = await t.until(async () => {
      const b = (await t.api('GET', `/api/v1/batches/${up.body.id}`)).body;
      return b.status === 'checking' ? null : b;
    });
    const errors = (await t.api('GET', `/api/v1/batches/${up.body.id}/errors?limit=100`)).body.items as Array<{ row: number; column: string | null; code: string; value: string | null }>;
    return { batch, errors, at: errors.map((e) => `${e.row}:${e.column}:${e.code}`) };
  }

  it('reads an Italian Excel export: Windows-1252, `;`, accents and €, amounts as 1.234,56', async () => {
    const { batch, at } = await check('excel-it.csv');
    expect(batch.file).toMatchObject({ encoding: 'windows-1252', delimiter: ';' });
    expect(batch.rows).toMatchObject({ total: 3, valid: 1, invalid: 2 });
    expect(batch.preview[0]).toMatchObject({ row: 2, subject: 'Tassa rifiuti 2025 – prima rata', amount: 123456, notice_number: '301000000012345082' });
    expect(batch.preview[0].markdown).toContain('è di 1.234,56 €');
    // Rows 3 and 4 have texts under IO's 80 characters: said per row, on the `testo` column.
    expect(at).toEqual(['3:testo:too_short', '4:testo:too_short']);
  });

  it('reads UTF-8 with BOM and `,` separators, with quoted cells holding commas', async () => {
    const { batch, errors } = await check('utf8-bom.csv');
    expect(batch.file).toMatchObject({ encoding: 'utf-8', delimiter: ',' });
    expect(batch.status).toBe('invalid');
    // The amount column is there but the notice number is not: a clear header problem, not 2 row errors.
    expect(errors).toEqual([expect.objectContaining({ row: 1, column: 'codice_avviso', code: 'missing_column' })]);
  });

  it('counts blank lines as skipped rows and keeps the numbering of the rest', async () => {
    const rows = ['codice_fiscale;oggetto;testo', `${validFiscalCode(11)};Avviso di prova;${TEXT}`, '', `${validFiscalCode(12)};Avviso di prova;${TEXT}`, ';;', '', ''];
    const { batch, at } = await check('blank.csv', Buffer.from(rows.join('\r\n')));
    expect(batch.rows).toMatchObject({ total: 5, valid: 2, empty: 3, invalid: 0 });
    expect(at).toEqual([]);
    const listed = (await t.api('GET', `/api/v1/batches/${batch.id}/rows`)).body.items.map((r: { row: number }) => r.row);
    expect(listed).toEqual([2, 4]);
  });

  it('keeps a quoted multi-line markdown cell whole, with its quotes and separators', async () => {
    const md = `# Avviso TARI\n\nGentile **contribuente**,\nl'importo di "1.234,56 €" va pagato entro il 30/06; grazie.\n\n- rata unica`;
    const content = `codice_fiscale;oggetto;testo\r\n${validFiscalCode(13)};Avviso di pagamento;"${md.replace(/"/g, '""')}"\r\n${validFiscalCode(14)};Avviso di pagamento;${TEXT}\r\n`;
    const { batch } = await check('multi.csv', Buffer.from(content));
    expect(batch.rows).toMatchObject({ total: 2, valid: 2 });
    expect(batch.preview[0].markdown).toBe(md);
    expect(batch.preview[1].row).toBe(3);
  });

  it('ignores trailing separators and warns about unknown columns', async () => {
    const content = `codice_fiscale;oggetto;testo;note;\r\n${validFiscalCode(15)};Avviso di prova;${TEXT};da ricontrollare;\r\n`;
    const { batch, at } = await check('trailing.csv', Buffer.from(content));
    expect(batch.status).toBe('ready');
    expect(at).toEqual([]);
    expect(batch.warnings).toEqual([expect.objectContaining({ column: 'note', code: 'unknown_column' })]);
  });

  it('a header alone, a wrong header, broken quotes, an empty file: each said plainly', async () => {
    const headerOnly = await check('header-only.csv');
    expect(headerOnly.batch.status).toBe('invalid');
    expect(headerOnly.batch.problem).toBe('the file has no rows to send');
    const wrong = await check('wrong-header.csv');
    expect(wrong.at).toEqual(expect.arrayContaining(['1:codice_fiscale:missing_column', '1:oggetto:missing_column', '1:testo:missing_column']));
    const broken = await check('broken-quotes.csv');
    expect(broken.batch.status).toBe('invalid');
    expect(broken.at).toContain('3:testo:malformed_csv');
    const empty = await t.upload('/api/v1/batches', { service: 'tari' }, { name: 'empty.csv', content: Buffer.alloc(0) });
    expect(empty.status).toBe(400);
    expect(empty.body.errors).toContainEqual(expect.objectContaining({ field: 'file', code: 'empty_file' }));
  });

  it('reads the first sheet of an XLSX workbook: numbers, dates and text cells', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Avvisi');
    ws.addRow(['Codice_Fiscale', 'Oggetto', 'Testo', 'Importo', 'Codice_Avviso', 'Data_Scadenza']);
    ws.addRow([validFiscalCode(16), 'Avviso TARI 2026', TEXT, 1234.56, validNoticeNumber(16), new Date(Date.UTC(2027, 0, 31))]);
    ws.addRow([validFiscalCode(17), 'Avviso TARI 2026', TEXT, 89.9, validNoticeNumber(17), new Date(Date.UTC(2027, 0, 31))]);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'genio-xlsx-')), 'avvisi.xlsx');
    await wb.xlsx.writeFile(file);
    const { batch, at } = await check('avvisi.xlsx', fs.readFileSync(file));
    expect(batch.file.format).toBe('xlsx');
    expect(at).toEqual([]);
    expect(batch.rows).toMatchObject({ total: 2, valid: 2 });
    expect(batch.preview.map((p: { amount: number }) => p.amount)).toEqual([123456, 8990]);
    // A plain date means 23:59:59 of that day in Rome, sent to IO in UTC.
    expect(batch.preview[0].due_date).toBe('2027-01-31T22:59:59.000Z');
    const confirmed = await t.api('POST', `/api/v1/batches/${batch.id}/confirm`, {});
    expect(confirmed.status).toBe(200);
    await t.until(() => t.sim.requests().filter((r) => r.operation === 'submitMessage' && [validFiscalCode(16), validFiscalCode(17)].includes((r.body as any)?.fiscal_code)).length === 2);
  });
});

describe.each(DB_KINDS)('a NUL character deep in a file, on %s', (db) => {
  let t: TestGenio;
  beforeAll(async () => {
    t = await startTestGenio({ db, sim: { rateLimit: null }, config: { ioBudget: null } });
  });
  afterAll(async () => t?.close());

  it('is an error of its row and cell (PostgreSQL cannot store it), never a check retried for ever', async () => {
    const nul = '\u0000';
    const rows = ['codice_fiscale;oggetto;testo;riferimento'];
    // Past the first 64 KiB, where the binary-file sniffing looks.
    for (let i = 0; i < 600; i++) rows.push(`${validFiscalCode(1000 + i)};Avviso di prova;${TEXT} ${i};R-${i}`);
    rows.push(`${validFiscalCode(2001)};Avviso di prova;${TEXT}${nul};R-600`);
    rows.push(`${validFiscalCode(2002).slice(0, 8)}${nul}${validFiscalCode(2002).slice(9)};Avviso di prova;${TEXT};R-601`);
    rows.push(`${validFiscalCode(2003)};Avviso di prova;${TEXT};R${nul}602`);
    const up = await t.upload('/api/v1/batches', { service: 'tari', check_only: 'true' }, { name: 'nul.csv', content: Buffer.from(rows.join('\n')) });
    expect(up.status, JSON.stringify(up.body)).toBe(202);
    const batch = await t.until(async () => {
      const b = (await t.api('GET', `/api/v1/batches/${up.body.id}`)).body;
      return b.status === 'checking' ? null : b;
    });
    expect(batch.status).toBe('invalid');
    expect(batch.rows).toMatchObject({ total: 603, valid: 600, invalid: 3 });
    const errors = (await t.api('GET', `/api/v1/batches/${up.body.id}/errors?limit=100`)).body.items as Array<{ row: number; column: string; code: string; value: string | null }>;
    expect(errors.map((e) => `${e.row}:${e.column}:${e.code}`)).toEqual(['602:testo:invalid_character', `603:codice_fiscale:${errors[1].code}`, '604:riferimento:invalid_character']);
    expect(errors[1].value).not.toContain(nul);
  });
});

describe('batch limits', () => {
  let t: TestGenio;
  beforeAll(async () => {
    t = await startTestGenio({ config: { batchMaxRows: 5, batchMaxBytes: 4096 } });
  });
  afterAll(async () => t?.close());

  it('refuses rows beyond the maximum, naming the first row too many', async () => {
    const rows = ['codice_fiscale;oggetto;testo'];
    for (let i = 0; i < 6; i++) rows.push(`${validFiscalCode(20 + i)};Avviso di prova;Testo breve`);
    const up = await t.upload('/api/v1/batches', { service: 'tari' }, { name: 'six.csv', content: rows.join('\n') });
    expect(up.status).toBe(202);
    const b = await t.until(async () => {
      const x = (await t.api('GET', `/api/v1/batches/${up.body.id}`)).body;
      return x.status === 'checking' ? null : x;
    });
    expect(b.status).toBe('invalid');
    expect(b.problem).toBe('more than 5 rows');
    const errors = (await t.api('GET', `/api/v1/batches/${up.body.id}/errors?limit=100`)).body.items;
    expect(errors.at(-1)).toMatchObject({ row: 7, code: 'too_many_rows' });
  });

  it('gives up an upload whose file is gone, saying to upload again, instead of checking for ever', async () => {
    const b = await insertBatch(t.genio.database.db, {
      id: newId(), ente_id: t.ente.id, service_id: t.service.service.id, api_key_id: null, template_id: null, template_version: null, source: 'csv',
      file_name: 'perso.csv', file_sha256: 'f'.repeat(64), file_size: 10, file_path: path.join(t.config.batchDir, 'gone.csv'), scheduled_at: null,
      check_only: 0, send_valid_only: 0, idempotency_key: null, request_hash: null,
    }, Date.now() - 2 * 3_600_000);
    const after = await t.until(async () => {
      const x = (await t.api('GET', `/api/v1/batches/${b.id}`)).body;
      return x.status === 'checking' ? null : x;
    });
    expect(after.status).toBe('invalid');
    expect(after.problem).toContain('upload it again');
  });

  it('gives up a file whose check crashes (not a row error), rather than retrying it for ever', async () => {
    const file = path.join(t.config.batchDir, 'broken.json');
    fs.writeFileSync(file, '{"messages": [ not json');
    const b = await insertBatch(t.genio.database.db, {
      id: newId(), ente_id: t.ente.id, service_id: t.service.service.id, api_key_id: null, template_id: null, template_version: null, source: 'json',
      file_name: null, file_sha256: 'e'.repeat(64), file_size: 10, file_path: file, scheduled_at: null,
      check_only: 0, send_valid_only: 0, idempotency_key: null, request_hash: null,
    });
    const after = await t.until(async () => {
      const x = (await t.api('GET', `/api/v1/batches/${b.id}`)).body;
      return x.status === 'checking' ? null : x;
    });
    expect(after.status).toBe('invalid');
    expect(after.problem).toContain('could not read this file');
    expect(t.logs.join('')).toContain('batch check crashed');
    await t.until(() => !fs.existsSync(file));
  });

  it('refuses a file over the size limit with 413, keeping nothing', async () => {
    const up = await t.upload('/api/v1/batches', { service: 'tari' }, { name: 'big.csv', content: 'codice_fiscale;oggetto;testo\n' + 'x'.repeat(5000) });
    expect(up.status).toBe(413);
    expect(up.body.code).toBe('payload_too_large');
    expect(fs.readdirSync(t.config.batchDir)).toEqual([]);
  });
});
