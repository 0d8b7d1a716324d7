import { allRows, tableError } from '../support/tables.ts';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import iconv from 'iconv-lite';
import { afterAll, describe, expect, it } from 'vitest';
import { openTable, type TableRow } from '../../src/ingest/read-table.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/batches', import.meta.url));
const fixture = (name: string) => path.join(FIXTURES, name);

const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'genio-read-table-'));
afterAll(() => fs.rmSync(TMP, { recursive: true, force: true }));

/** A throwaway file with exactly these bytes. */
function tempFile(name: string, content: string | Buffer): string {
  const file = path.join(TMP, name);
  fs.writeFileSync(file, content);
  return file;
}


describe('openTable, CSV', () => {
  it('reads Italian Excel CSV: Windows-1252, `;`, CRLF, accents, € and quoted `;`', async () => {
    const table = await openTable(fixture('excel-it.csv'));
    expect(table.info).toEqual({ format: 'csv', encoding: 'windows-1252', delimiter: ';' });
    expect(table.header).toEqual(['codice_fiscale', 'oggetto', 'testo', 'importo', 'codice_avviso']);
    expect(await allRows(table)).toEqual([
      {
        row: 2,
        cells: [
          'RSSMRA85T10A562S',
          'Tassa rifiuti 2025 – prima rata',
          "Gentile contribuente, l'importo dovuto è di 1.234,56 € e può essere pagato entro il 30/06/2025.",
          '1.234,56',
          '301000000012345082',
        ],
      },
      {
        row: 3,
        cells: [
          'DQNNCL80A01H501I',
          "Avviso per Niccolò D'Aquino",
          "Società Àgape: più informazioni all'Ufficio Tributi; orario lun–ven 9–12.",
          '89,90 €',
          '301000000012345183',
        ],
      },
      { row: 4, cells: ['BNCLRA90E45F205D', 'Mensa scolastica – “Ottobre”', 'Così è: nessun importo dovuto, né ora né poi.', '', ''] },
    ]);
  });

  it('reads UTF-8 with a BOM and `,`: the BOM is not part of the first header name', async () => {
    const table = await openTable(fixture('utf8-bom.csv'));
    expect(table.info).toEqual({ format: 'csv', encoding: 'utf-8', delimiter: ',' });
    expect(table.header).toEqual(['codice_fiscale', 'oggetto', 'testo', 'importo']);
    expect(await allRows(table)).toEqual([
      { row: 2, cells: ['RSSMRA85T10A562S', 'Rimborso TARI', "Gentile Niccolò D'Aquino, le è dovuto un rimborso di € 56,20.", '56,20'] },
      { row: 3, cells: ['VRDGPP75C12L219Z', 'Avviso, seconda rata', 'Società Àgape — grazie!', '1.234,56'] },
    ]);
  });

  it('leaves no carriage return in CRLF cells', async () => {
    const table = await openTable(fixture('crlf.csv'));
    expect(table.info).toEqual({ format: 'csv', encoding: 'utf-8', delimiter: ';' });
    const rows = await allRows(table);
    expect(rows.map((r) => r.row)).toEqual([2, 3]);
    expect(rows[1].cells).toEqual(['SPSFNC68M03F839G', 'Promemoria scadenza', 'Il pagamento scade il 31/07.']);
    expect(JSON.stringify(rows)).not.toContain('\\r');
  });

  it('keeps a quoted markdown cell over several lines whole, as one row', async () => {
    const rows = await allRows(await openTable(fixture('multiline.csv')));
    expect(rows).toHaveLength(2);
    expect(rows[0].row).toBe(2);
    expect(rows[0].cells[2]).toBe(
      [
        '# Avviso TARI 2025',
        '',
        "Gentile **Niccolò D'Aquino**,",
        'l\'importo di "1.234,56 €" va pagato entro il 30/06/2025; grazie.',
        '',
        '- rata unica',
        '- [paga online](https://www.comune.example.it/pagamenti)',
      ].join('\n'),
    );
    expect(rows[0].cells[3]).toBe('1.234,56');
    // The next record is spreadsheet row 3, not the file's line 10.
    expect(rows[1]).toEqual({ row: 3, cells: ['DQNNCL80A01H501I', 'Secondo avviso', 'Testo su una riga', '12,00'] });
  });

  it('yields blank lines as rows so that later numbers stay right', async () => {
    expect(await allRows(await openTable(fixture('blank-lines.csv')))).toEqual([
      { row: 2, cells: ['RSSMRA85T10A562S', 'Primo avviso'] },
      { row: 3, cells: [''] },
      { row: 4, cells: ['DQNNCL80A01H501I', 'Terzo avviso'] },
      { row: 5, cells: ['', ''] }, // Excel writes a blank row as separators only
      { row: 6, cells: [''] },
      { row: 7, cells: [''] },
    ]);
  });

  it('keeps trailing separators as an empty last column; trims header names but not cells', async () => {
    const table = await openTable(fixture('trailing-separators.csv'));
    expect(table.header).toEqual(['codice_fiscale', 'oggetto', 'testo', '']);
    expect(await allRows(table)).toEqual([
      { row: 2, cells: ['RSSMRA85T10A562S', ' Avviso con spazi ', "Testo dell'avviso", ''] },
      { row: 3, cells: ['DQNNCL80A01H501I', 'Avviso', 'Altro testo', ''] },
    ]);
  });

  it('reads a header-only file as a table with no rows', async () => {
    const table = await openTable(fixture('header-only.csv'));
    expect(table.header).toEqual(['codice_fiscale', 'oggetto', 'testo', 'importo', 'codice_avviso']);
    expect(await allRows(table)).toEqual([]);
  });

  it('does not judge the columns: a foreign header is read as it is', async () => {
    const table = await openTable(fixture('wrong-header.csv'));
    expect(table.header).toEqual(['nome', 'cognome', 'email']);
    expect((await allRows(table))[0]).toEqual({ row: 2, cells: ['Niccolò', "D'Aquino", 'niccolo.daquino@example.it'] });
  });

  it('rejects an empty file with empty_file', async () => {
    expect((await tableError(openTable(fixture('empty.csv')))).code).toBe('empty_file');
    expect((await tableError(openTable(fixture('empty.csv'), { format: 'csv' }))).code).toBe('empty_file');
  });

  it('counts a file of only a BOM and blank lines as empty', async () => {
    const file = tempFile('bom-only.csv', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(' \r\n\r\n')]));
    expect((await tableError(openTable(file))).code).toBe('empty_file');
  });

  it('rejects a blank first row with no_header', async () => {
    const err = await tableError(openTable(tempFile('no-header.csv', ';;\r\nRSSMRA85T10A562S;a;b\r\n')));
    expect(err.code).toBe('no_header');
    expect(err.row).toBe(1);
  });

  it('yields the rows before an unclosed quote, then throws malformed_csv with its row', async () => {
    const table = await openTable(fixture('broken-quotes.csv'));
    const seen: number[] = [];
    const err = await tableError(
      (async () => {
        for await (const r of table.rows) seen.push(r.row);
      })(),
    );
    expect(seen).toEqual([2]);
    expect(err.code).toBe('malformed_csv');
    expect(err.row).toBe(3);
    expect(err.column).toBe('testo');
    expect(err.message).toMatch(/^row 3: /);
  });

  it('stops an unclosed quote in a big file at 1 MB instead of reading the rest into one cell', async () => {
    const good = 'RSSMRA85T10A562S;Avviso;Testo\n'.repeat(1000);
    const rest = 'DQNNCL80A01H501I;Avviso;Altro testo\n'.repeat(60_000); // ~2 MB
    const file = tempFile('unclosed-big.csv', `codice_fiscale;oggetto;testo\n${good}BNCLRA90E45F205D;Avviso;"mai chiuso\n${rest}`);
    const table = await openTable(file);
    let count = 0;
    const err = await tableError(
      (async () => {
        for await (const _ of table.rows) count++;
      })(),
    );
    expect(count).toBe(1000);
    expect(err.code).toBe('malformed_csv');
    expect(err.row).toBe(1002);
  });

  it('reports a broken header as malformed_csv on row 1 from openTable', async () => {
    const err = await tableError(openTable(tempFile('broken-header.csv', 'codice_fiscale;"oggetto\nRSSMRA85T10A562S;x\n')));
    expect(err.code).toBe('malformed_csv');
    expect(err.row).toBe(1);
  });

  it('keeps a stray quote inside an unquoted cell as text, as Excel does', async () => {
    const rows = await allRows(await openTable(tempFile('stray-quote.csv', 'codice_fiscale;oggetto\nRSSMRA85T10A562S;Pizzeria "Da Mario"\n')));
    expect(rows).toEqual([{ row: 2, cells: ['RSSMRA85T10A562S', 'Pizzeria "Da Mario"'] }]);
  });

  it('does not merge rows when a CRLF file has a stray LF line ending', async () => {
    const rows = await allRows(await openTable(tempFile('mixed-eol.csv', 'a;b\r\n1;2\n3;4\r\n5;6\r7;8')));
    expect(rows).toEqual([
      { row: 2, cells: ['1', '2'] },
      { row: 3, cells: ['3', '4'] },
      { row: 4, cells: ['5', '6'] },
      { row: 5, cells: ['7', '8'] },
    ]);
  });

  it('detects tab-separated files and prefers `;` on a tie', async () => {
    expect((await openTable(tempFile('tabs.csv', 'a\tb\tc\n1\t2\t3\n'))).info.delimiter).toBe('\t');
    expect((await openTable(tempFile('tie.csv', 'a;b,c\n'))).info.delimiter).toBe(';');
    expect((await openTable(tempFile('one-column.csv', 'codice_fiscale\nRSSMRA85T10A562S\n'))).info.delimiter).toBe(';');
    // Separators inside a quoted header name do not count.
    const quoted = await openTable(tempFile('quoted-header.csv', '"importo; in euro, con decimali";codice_fiscale\n'));
    expect(quoted.info.delimiter).toBe(';');
    expect(quoted.header).toEqual(['importo; in euro, con decimali', 'codice_fiscale']);
  });

  it('reads a 1252 file whose first accent is far past the start (decided over the whole file)', async () => {
    const ascii = 'RSSMRA85T10A562S;Avviso;Testo semplice\r\n'.repeat(60_000); // ~2.4 MB of plain ASCII
    const file = tempFile('late-accent.csv', iconv.encode(`codice_fiscale;oggetto;testo\r\n${ascii}DQNNCL80A01H501I;Città;Perché 5 €\r\n`, 'win1252'));
    const table = await openTable(file);
    expect(table.info.encoding).toBe('windows-1252');
    let last: TableRow | undefined;
    for await (const r of table.rows) last = r;
    expect(last).toEqual({ row: 60_002, cells: ['DQNNCL80A01H501I', 'Città', 'Perché 5 €'] });
  });

  it('rejects binary and UTF-16 files with unsupported_format', async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('codice_fiscale\toggetto\r\n', 'utf16le')]);
    expect((await tableError(openTable(tempFile('utf16.csv', utf16)))).code).toBe('unsupported_format');
    const xls = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0, 0]);
    expect((await tableError(openTable(tempFile('old.xls', xls)))).code).toBe('unsupported_format');
  });

  it('sniffs the format when none is given, and obeys it when given', async () => {
    expect((await openTable(fixture('simple.xlsx'))).info.format).toBe('xlsx');
    expect((await openTable(fixture('crlf.csv'))).info.format).toBe('csv');
    expect((await tableError(openTable(fixture('crlf.csv'), { format: 'xlsx' }))).code).toBe('malformed_xlsx');
    expect((await tableError(openTable(fixture('simple.xlsx'), { format: 'csv' }))).code).toBe('unsupported_format');
  });

  it('lets rows be read once only', async () => {
    const table = await openTable(fixture('crlf.csv'));
    await allRows(table);
    expect(() => table.rows[Symbol.asyncIterator]()).toThrow(/only once/);
  });

  it.skipIf(process.platform !== 'linux')('closes the file when the caller stops early', async () => {
    // Which open descriptors point at the fixture (other descriptors of the test process come and go).
    const file = fs.realpathSync(fixture('excel-it.csv'));
    const openOnFixture = () =>
      fs.readdirSync('/proc/self/fd').filter((fd) => {
        try {
          return fs.readlinkSync(`/proc/self/fd/${fd}`) === file;
        } catch {
          return false;
        }
      }).length;
    const table = await openTable(file);
    for await (const _ of table.rows) {
      expect(openOnFixture()).toBeGreaterThan(0);
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 50)); // closing a file descriptor is asynchronous
    expect(openOnFixture()).toBe(0);
  });
});
