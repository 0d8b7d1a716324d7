import { allRows, tableError } from '../support/tables.ts';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { openTable } from '../../src/ingest/read-table.ts';
import { sharedStringsFirstXlsx, zip } from '../fixtures/batches/make-fixtures.ts';

const require = createRequire(import.meta.url);
const FIXTURES = fileURLToPath(new URL('../fixtures/batches', import.meta.url));
const fixture = (name: string) => path.join(FIXTURES, name);

const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'genio-read-xlsx-'));
afterAll(() => fs.rmSync(TMP, { recursive: true, force: true }));


/** Accented text dense enough that every 16 KB inflate chunk boundary is likely to cut a character. */
const accented = (i: number) => `Niccolò D'Aquino, Società Àgape: è già più ${'àèìòù€'.repeat(4)} ${i}`;

/** Rows whose text contains U+FFFD, the mark of a character broken by the reader. */
async function brokenCells(file: string): Promise<{ rows: number; broken: string[] }> {
  let rows = 0;
  const broken: string[] = [];
  for await (const r of (await openTable(file)).rows) {
    rows++;
    for (const c of r.cells) if (c.includes('\uFFFD')) broken.push(`row ${r.row}: ${c}`);
  }
  return { rows, broken };
}

describe('openTable, XLSX', () => {
  it('reads the first worksheet of a workbook written like Excel writes it', async () => {
    const table = await openTable(fixture('simple.xlsx'));
    expect(table.info).toEqual({ format: 'xlsx', encoding: null, delimiter: null });
    expect(table.header).toEqual(['codice_fiscale', 'oggetto', 'testo', 'importo', 'data_scadenza', 'invia_promemoria']);
    expect(await allRows(table)).toEqual([
      {
        row: 2,
        cells: ['RSSMRA85T10A562S', 'Tassa rifiuti 2025', "Gentile Niccolò D'Aquino,\nl'importo è di 1.234,56 €.", '1234.56', '2025-06-30', 'true'],
      },
      { row: 3, cells: ['', '', '', '', '', ''] }, // absent from the XML, put back
      // Rich text as plain text, a formula as its cached result, a date-time as Italian wall time.
      { row: 4, cells: ['DQNNCL80A01H501I', 'Società Àgape', 'Promemoria', '2469.12', '2025-07-01T10:30:00', 'false'] },
      { row: 5, cells: ['BNCLRA90E45F205D', '', '', '', '', ''] }, // padded to the header
    ]);
  });

  it('reads a workbook whose shared strings come before the worksheet (streamed, not spooled)', async () => {
    const table = await openTable(fixture('shared-strings-first.xlsx'));
    expect(table.header).toEqual(['codice_fiscale', 'testo', 'scadenza', 'totale']);
    expect(await allRows(table)).toEqual([
      // An inline string, Excel's _x000D_ escape, a date by style, a formula's number.
      { row: 2, cells: ['RSSMRA85T10A562S', 'Riga uno\r\nriga due', '2025-06-30', '2'] },
      { row: 3, cells: ['', '', '', ''] },
      // An error cell as Excel shows it, a formula's cached date, a boolean cell.
      { row: 4, cells: ['Società Àgape', '#N/A', '2025-07-01', 'true'] },
      // Row 6 exists in the XML but only as formatting: no trailing blank rows are made up.
    ]);
  });

  describe('keeps accented characters whole across chunk boundaries (exceljs alone breaks some)', () => {
    const ROWS = 20_000;

    it('in shared strings', async () => {
      const file = path.join(TMP, 'accents-shared.xlsx');
      const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useSharedStrings: true });
      const ws = wb.addWorksheet('Foglio1');
      ws.addRow(['codice_fiscale', 'testo']).commit();
      for (let i = 0; i < ROWS; i++) ws.addRow(['RSSMRA85T10A562S', accented(i)]).commit();
      await wb.commit();
      expect(await brokenCells(file)).toEqual({ rows: ROWS, broken: [] });
    });

    it('in a spooled worksheet', async () => {
      const file = path.join(TMP, 'accents-inline.xlsx');
      const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useSharedStrings: false });
      const ws = wb.addWorksheet('Foglio1');
      ws.addRow(['codice_fiscale', 'testo']).commit();
      for (let i = 0; i < ROWS; i++) ws.addRow(['RSSMRA85T10A562S', accented(i)]).commit();
      await wb.commit();
      expect(await brokenCells(file)).toEqual({ rows: ROWS, broken: [] });
    });

    it('in a worksheet streamed from the zip', async () => {
      const rows = Array.from({ length: ROWS }, (_, i) => `<row r="${i + 2}"><c r="A${i + 2}" t="inlineStr"><is><t>${accented(i)}</t></is></c></row>`);
      const file = path.join(TMP, 'accents-streamed.xlsx');
      fs.writeFileSync(file, sharedStringsFirstXlsx(['testo'], `<row r="1"><c r="A1" t="s"><v>0</v></c></row>${rows.join('')}`));
      expect(await brokenCells(file)).toEqual({ rows: ROWS, broken: [] });
    });
  });

  describe('temporary files', () => {
    const savedTmpdir = process.env.TMPDIR;
    afterEach(() => {
      if (savedTmpdir === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = savedTmpdir;
    });

    it('are all gone after a full read, an early stop, or a header-only look', async () => {
      const dir = fs.mkdtempSync(path.join(TMP, 'spool-'));
      process.env.TMPDIR = dir; // exceljs (through `tmp`) spools into os.tmpdir()
      await allRows(await openTable(fixture('simple.xlsx')));
      for await (const _ of (await openTable(fixture('simple.xlsx'))).rows) break;
      await openTable(fixture('simple.xlsx')); // rows never read
      await new Promise((resolve) => setTimeout(resolve, 100)); // exceljs deletes them asynchronously
      expect(fs.readdirSync(dir)).toEqual([]);
    });
  });

  it('reads the whole workbook when exceljs is still spooling a sheet as the file ends', async () => {
    // Slow temp files make the race certain: unzipper has read the whole (small) file and
    // parsed every entry before exceljs has spooled sheet1, so its early 'end' comes first.
    const tmp = createRequire(require.resolve('exceljs'))('tmp') as { file: (cb: unknown) => void };
    const file = tmp.file;
    tmp.file = (cb: unknown) => void setTimeout(() => file.call(tmp, cb), 50);
    try {
      const table = await openTable(fixture('simple.xlsx'));
      expect((await allRows(table)).length).toBeGreaterThan(0);
    } finally {
      tmp.file = file;
    }
  });

  it('rejects a truncated or damaged zip with malformed_xlsx, without hanging', { timeout: 10_000 }, async () => {
    const bytes = fs.readFileSync(fixture('simple.xlsx'));
    const truncated = path.join(TMP, 'truncated.xlsx');
    fs.writeFileSync(truncated, bytes.subarray(0, bytes.length / 2));
    expect((await tableError(openTable(truncated))).code).toBe('malformed_xlsx');

    // Damage the compressed data of the worksheet: exceljs alone waits forever on this one.
    const damaged = Buffer.from(bytes);
    const name = Buffer.from('xl/worksheets/sheet1.xml');
    const at = damaged.indexOf(name) + name.length + 5;
    for (let i = at; i < at + 40; i++) damaged[i] ^= 0xa5;
    const file = path.join(TMP, 'damaged.xlsx');
    fs.writeFileSync(file, damaged);
    expect((await tableError(openTable(file))).code).toBe('malformed_xlsx');
  });

  it('passes a read error through as it is (the file removed between open and read)', async () => {
    const file = path.join(TMP, 'removed.xlsx');
    fs.copyFileSync(fixture('simple.xlsx'), file);
    const table = await openTable(file);
    fs.rmSync(file);
    await expect(allRows(table)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('rejects a zip that is not a workbook with unsupported_format', async () => {
    const file = path.join(TMP, 'not-a-workbook.zip');
    fs.writeFileSync(file, zip([['leggimi.txt', 'ciao']]));
    expect((await tableError(openTable(file))).code).toBe('unsupported_format');
  });

  it('rejects an empty first worksheet with empty_file, and a blank row 1 with no_header', async () => {
    const empty = new ExcelJS.Workbook();
    empty.addWorksheet('Foglio1');
    const emptyFile = path.join(TMP, 'empty-sheet.xlsx');
    await empty.xlsx.writeFile(emptyFile);
    expect((await tableError(openTable(emptyFile))).code).toBe('empty_file');

    const late = new ExcelJS.Workbook();
    late.addWorksheet('Foglio1').getCell('A3').value = 'codice_fiscale';
    const lateFile = path.join(TMP, 'header-on-row-3.xlsx');
    await late.xlsx.writeFile(lateFile);
    const err = await tableError(openTable(lateFile));
    expect(err.code).toBe('no_header');
    expect(err.row).toBe(1);
  });
});
