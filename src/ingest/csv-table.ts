/**
 * CSV files as tables, in the product's documented format: UTF-8 (BOM optional) or
 * Windows-1252, `;` or `,` (or tab) between cells, CRLF or LF, RFC 4180 quoting.
 *
 * Two passes over the file: `openTable` reads it once to settle the encoding (see
 * text-encoding.ts) and parses the header from its first bytes; the rows are parsed in a second,
 * streaming pass that starts only when the caller iterates them. Nothing stays open in between.
 */
import fs from 'node:fs';
import { pipeline } from 'node:stream';
import { CsvError, parse, type Options } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';
import { readOnce, TableError, type Table, type TableInfo, type TableRow } from './table.ts';
import { bomLength, decodeHead, decoderFor, detectEncoding, type TextEncoding } from './text-encoding.ts';

type Delimiter = NonNullable<TableInfo['delimiter']>;

/** Enough for any header line; a longer one is treated as broken. */
const HEAD_BYTES = 64 * 1024;

/**
 * Parser input chunk. Bigger chunks do not parse faster (csv-parse works byte by byte), but each
 * one becomes up to a few thousand row arrays at once: 1 MB chunks doubled the process's RSS.
 */
const CHUNK_BYTES = 64 * 1024;

/**
 * Longest record accepted, in bytes. IO caps markdown at 10 000 characters, so a real row is far
 * shorter; the cap exists for an unclosed quote, which would otherwise make the parser hold the
 * whole rest of the file (up to 200 MB) as one cell before reporting it.
 */
const MAX_RECORD_BYTES = 1 << 20;

function parserOptions(delimiter: Delimiter): Options {
  return {
    delimiter,
    // Every line ending at once: csv-parse otherwise keeps the first one it sees, and a file with
    // CRLF rows and one stray LF would have two rows silently merged into one.
    record_delimiter: ['\r\n', '\n', '\r'],
    relax_column_count: true,
    // A quote inside an unquoted cell (`Pizzeria "Da Mario"`) is kept as text, as Excel does.
    // A quoted cell that is never closed is still an error.
    relax_quotes: true,
    max_record_size: MAX_RECORD_BYTES,
    // No skip_empty_lines: a blank line is a row, and skipping it would shift every row number.
  };
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

/** A csv-parse error as the row it happened in. `records` counts the complete records before it. */
function malformed(err: CsvError, header: string[] | null): TableError {
  const context = err as CsvError & { records?: number; column?: number | string | null };
  const row = (context.records ?? 0) + 1;
  const column = header && typeof context.column === 'number' ? header[context.column] || undefined : undefined;
  let message: string;
  if (err.code === 'CSV_QUOTE_NOT_CLOSED') {
    message = `row ${row}: a quoted cell is never closed (a " without its closing ")`;
  } else if (err.code === 'CSV_MAX_RECORD_SIZE') {
    message = `row ${row} is longer than ${MAX_RECORD_BYTES} bytes: most likely a quoted cell is never closed`;
  } else {
    message = `row ${row} cannot be read: ${err.message}`;
  }
  return new TableError('malformed_csv', message, { row, column });
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
 * Header names from the decoded first bytes; csv-parse stops after the first record. `complete`
 * says the bytes are the whole file: if not, a first line that does not end within them would be
 * cut, and is refused rather than read as shorter than it is.
 */
function parseHeader(text: string, delimiter: Delimiter, complete: boolean): string[] {
  if (!complete && !/[\r\n]/.test(text)) {
    throw new TableError('malformed_csv', `row 1 is longer than ${HEAD_BYTES} bytes: this is not a header line`, { row: 1 });
  }
  let records: string[][];
  try {
    records = parseSync(text, { ...parserOptions(delimiter), to: 1 }) as string[][];
  } catch (err) {
    if (err instanceof CsvError) throw malformed(err, null);
    throw err;
  }
  const header = (records[0] ?? []).map((name) => name.trim());
  if (header.every((name) => name === '')) {
    throw new TableError('no_header', 'row 1 is empty: the first row must name the columns', { row: 1 });
  }
  return header;
}

/**
 * The data rows, parsed from the start of the file (after any BOM) with csv-parse's streaming
 * parser. Record n is spreadsheet row n: a quoted cell spanning lines is still one record.
 * Throws TableError `malformed_csv` at the first broken record, after yielding the rows before it.
 */
async function* readRows(filePath: string, start: number, encoding: TextEncoding, delimiter: Delimiter, header: string[]): AsyncGenerator<TableRow> {
  const source = fs.createReadStream(filePath, { start, highWaterMark: CHUNK_BYTES });
  const parser = parse(parserOptions(delimiter));
  const decoder = decoderFor(encoding);
  // Errors of any stage reach the loop below through the parser; leaving the loop early
  // destroys the parser, and pipeline then closes the file.
  pipeline(decoder ? [source, decoder, parser] : [source, parser], () => {});
  let row = 0;
  try {
    for await (const cells of parser as AsyncIterable<string[]>) {
      row++;
      if (row > 1) yield { row, cells };
    }
  } catch (err) {
    if (err instanceof CsvError) throw malformed(err, header);
    throw err;
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
  return { info, header, rows: readOnce(readRows(filePath, bom, encoding, delimiter, header)) };
}
