/**
 * CSV files as tables, in the product's documented format: UTF-8 (BOM optional) or
 * Windows-1252, `;` or `,` (or tab) between cells, CRLF or LF, RFC 4180 quoting.
 *
 * Two passes over the file: `openTable` reads it once to settle the encoding (see
 * text-encoding.ts) and parses the header from its first bytes; the rows are parsed in a second,
 * streaming pass that starts only when the caller iterates them. Nothing stays open in between.
 */
import fs from 'node:fs';
import { Transform } from 'node:stream';
import Papa from 'papaparse';
import { rowsAndChunks, TableError, type Table, type TableInfo, type TableRow } from './table.ts';
import { bomLength, decodeHead, decodeWindows1252, detectEncoding, type TextEncoding } from './text-encoding.ts';

type Delimiter = NonNullable<TableInfo['delimiter']>;

/** Enough for any header line; a longer one is treated as broken. */
const HEAD_BYTES = 64 * 1024;

/**
 * Bytes read from the file at a time. Their text must stay under V8's large-object size (128 KiB,
 * and one accented letter makes it two bytes a character): a larger string goes to the
 * large-object space, and the cells sliced from it keep it there until a full collection. With
 * 256 KiB reads a million-row check held ~17 MiB of them and peaked ~40 MiB higher, and was slower.
 */
const CHUNK_BYTES = 32 * 1024;

/**
 * Longest record accepted, in bytes. IO caps markdown at 10 000 characters, so a real row is far
 * shorter; the cap exists for an unclosed quote, which would otherwise make the parser hold the
 * whole rest of the file (up to 512 MB) as one cell before reporting it.
 */
const MAX_RECORD_BYTES = 1 << 20;

/**
 * Line endings made one (`\n`) before parsing: CRLF, LF and a lone CR all end a row, so a CRLF
 * file with one stray LF does not get two rows merged. A line break inside a quoted cell becomes
 * `\n` too, which is what the text means. Also decodes Windows-1252, and counts the text fed.
 */
class TextForParser extends Transform {
  private pendingCr = false;

  constructor(private readonly encoding: TextEncoding) {
    super({ decodeStrings: true, encoding: 'utf8' });
  }

  private readonly utf8 = new TextDecoder('utf-8');

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null, data?: string) => void): void {
    let text = this.encoding === 'utf-8' ? this.utf8.decode(chunk, { stream: true }) : decodeWindows1252(chunk);
    if (this.pendingCr) text = `\r${text}`;
    this.pendingCr = text.endsWith('\r');
    if (this.pendingCr) text = text.slice(0, -1);
    if (text.includes('\r')) text = text.replace(/\r\n?/g, '\n');
    done(null, text);
  }

  override _flush(done: (err?: Error | null, data?: string) => void): void {
    done(null, (this.encoding === 'utf-8' ? this.utf8.decode() : '') + (this.pendingCr ? '\n' : ''));
  }
}

/**
 * The delimiter of a header line: the most frequent of `;`, `,` and tab outside quotes, with `;`
 * winning ties (Italian Excel's choice, and the answer for a one-column file).
 */
export function detectDelimiter(text: string): Delimiter {
  let semicolons = 0;
  let commas = 0;
  let tabs = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) quoted = !quoted; // a doubled quote toggles twice: no change, as it should
    else if (quoted) continue;
    else if (c === 0x3b) semicolons++;
    else if (c === 0x2c) commas++;
    else if (c === 0x09) tabs++;
    else if (c === 0x0a || c === 0x0d) break;
  }
  if (semicolons >= commas && semicolons >= tabs) return ';';
  return commas >= tabs ? ',' : '\t';
}

function unclosedQuote(row: number, header: string[] | null, cellIndex: number): TableError {
  const column = header && cellIndex >= 0 ? header[cellIndex] || undefined : undefined;
  return new TableError('malformed_csv', `row ${row}: a quoted cell is never closed (a " without its closing ")`, { row, column });
}

/** The first `HEAD_BYTES` of the file, and its size. */
async function readHead(filePath: string): Promise<{ head: Buffer; size: number }> {
  const file = await fs.promises.open(filePath, 'r');
  try {
    const { size } = await file.stat();
    const head = Buffer.alloc(Math.min(size, HEAD_BYTES));
    const { bytesRead } = await file.read(head, 0, head.length, 0);
    return { head: head.subarray(0, bytesRead), size };
  } finally {
    await file.close();
  }
}

/**
 * Header names from the decoded first bytes; the parser stops after the first record. `complete`
 * says the bytes are the whole file: if not, a first line that does not end within them would be
 * cut, and is refused rather than read as shorter than it is.
 */
function parseHeader(text: string, delimiter: Delimiter, complete: boolean): string[] {
  if (!complete && !/[\r\n]/.test(text)) {
    throw new TableError('malformed_csv', `row 1 is longer than ${HEAD_BYTES} bytes: this is not a header line`, { row: 1 });
  }
  const parsed = Papa.parse<string[]>(text.replace(/\r\n?/g, '\n'), { delimiter, newline: '\n', quoteChar: '"', preview: 1 });
  const first = parsed.data[0] ?? [];
  if (parsed.errors.some((e) => e.code === 'MissingQuotes')) throw unclosedQuote(1, null, -1);
  const header = first.map((name) => name.trim());
  if (header.every((name) => name === '')) {
    throw new TableError('no_header', 'row 1 is empty: the first row must name the columns', { row: 1 });
  }
  return header;
}

/**
 * The data rows, parsed from the start of the file (after any BOM) with papaparse's parser,
 * several times faster than csv-parse on real files (bench/batch-check.ts). Text comes in chunks;
 * each is parsed with the unfinished last record carried over to the next, as papaparse's own
 * streamer does, but pulled by this loop so a slow reader slows the file reading.
 * Record n is spreadsheet row n: a quoted cell spanning lines is still one record. Throws
 * TableError `malformed_csv` at the first broken record, after yielding the rows before it.
 */
async function* readRows(filePath: string, start: number, encoding: TextEncoding, delimiter: Delimiter, header: string[]): AsyncGenerator<TableRow[]> {
  const source = fs.createReadStream(filePath, { start, highWaterMark: CHUNK_BYTES });
  const text = new TextForParser(encoding);
  source.on('error', (err) => text.destroy(err));
  source.pipe(text);
  const parser = new Papa.Parser({ delimiter, newline: '\n', quoteChar: '"' });
  let row = 0;
  let carried = '';
  /** The complete records of `input`; the rows before a broken one come out first, then its error. */
  const rowsOf = (input: string, last: boolean): { rows: TableRow[]; error: TableError | null } => {
    const results = parser.parse(input, 0, !last) as { data: string[][]; errors: Array<{ code: string; row: number }>; meta: { cursor: number } };
    const unclosed = results.errors.find((e) => e.code === 'MissingQuotes');
    const records = unclosed ? results.data.slice(0, unclosed.row) : results.data;
    const rows: TableRow[] = [];
    for (const cells of records) {
      row++;
      if (row > 1) rows.push({ row, cells });
    }
    carried = last ? '' : input.slice(results.meta.cursor);
    return { rows, error: unclosed ? unclosedQuote(row + 1, header, (results.data[unclosed.row] ?? []).length - 1) : null };
  };
  try {
    for await (const chunk of text as AsyncIterable<string>) {
      const { rows, error } = rowsOf(carried + chunk, false);
      if (rows.length) yield rows;
      if (error) throw error;
      // An unclosed quote makes every later line part of one cell: stop at 1 MB, not the file's end.
      if (carried.length > MAX_RECORD_BYTES) {
        throw new TableError('malformed_csv', `row ${row + 1} is longer than ${MAX_RECORD_BYTES} bytes: most likely a quoted cell is never closed`, { row: row + 1 });
      }
    }
    if (carried) {
      const { rows, error } = rowsOf(carried, true);
      if (rows.length) yield rows;
      if (error) throw error;
    }
  } finally {
    source.destroy();
    text.destroy();
  }
}

export async function openCsvTable(filePath: string): Promise<Table> {
  const { head, size } = await readHead(filePath);
  const bom = bomLength(head);
  const body = head.subarray(bom);
  if (body.toString('latin1').trim() === '' && head.length === size) {
    throw new TableError('empty_file', 'the file is empty');
  }
  if (body.includes(0)) {
    // Text never holds NUL bytes: this is a binary file (an old .xls, a PDF) or UTF-16 text.
    throw new TableError('unsupported_format', 'the file is neither CSV (UTF-8 or Windows-1252 text) nor XLSX: save it as CSV or as an Excel .xlsx workbook');
  }
  // A BOM only ever comes from UTF-8 software: it is skipped even if the rest then proves to be
  // 1252 (a file pasted together from two sources), rather than read as "ï»¿" in the header.
  const encoding = await detectEncoding(filePath);
  const text = decodeHead(body, encoding);
  const delimiter = detectDelimiter(text);
  const header = parseHeader(text, delimiter, head.length === size);
  const info: TableInfo = { format: 'csv', encoding, delimiter };
  return { info, header, ...rowsAndChunks(readRows(filePath, bom, encoding, delimiter, header)) };
}
