/**
 * What every table reader returns: the shapes here are shared by the CSV and XLSX readers and
 * re-exported by `read-table.ts`, which is the module callers import.
 */

export interface TableInfo {
  format: 'csv' | 'xlsx';
  /** Encoding detected for a CSV; null for XLSX, whose text is always Unicode. */
  encoding: 'utf-8' | 'windows-1252' | null;
  /** Delimiter detected from a CSV header line; null for XLSX. */
  delimiter: ';' | ',' | '\t' | null;
}

/**
 * One spreadsheet row as raw text. `row` is the number a person sees in Excel (header 1, first
 * data row 2), so errors can point at it. Blank rows are included with all cells `''`, because
 * dropping them would shift every later number; the caller counts and skips them.
 * CSV cells are exactly as many as the line has (a short line is not padded, so a missing
 * separator stays visible); XLSX cells are padded to the header length.
 */
export interface TableRow {
  row: number;
  cells: string[];
}

/**
 * An open table. No file is held open between `openTable` and the first read of `rows`, so a
 * caller that rejects the header may simply drop the table. `rows` can be iterated once; ending
 * the loop early (`break`, `return`, a throw) closes the file.
 */
export interface Table {
  info: TableInfo;
  /** Header names, trimmed; an empty name (a trailing separator, a blank Excel cell) stays ''. */
  header: string[];
  /** Data rows from row 2. May throw a TableError (`malformed_csv`, `malformed_xlsx`) mid-way. */
  rows: AsyncIterable<TableRow>;
  /** The same rows a chunk at a time: far fewer awaits for a million rows. Read either this or `rows`. */
  chunks: AsyncIterable<TableRow[]>;
}

/**
 * A file that cannot be read as a table at all (as opposed to a row with bad values, which is
 * the caller's business). `code` is stable snake_case for clients to branch on:
 * `empty_file`, `no_header`, `unsupported_format`, `malformed_csv`, `malformed_xlsx`.
 * `row` is the spreadsheet row number when one is known; `column` a header name when known.
 */
export class TableError extends Error {
  readonly code: string;
  readonly row?: number;
  readonly column?: string;

  constructor(code: string, message: string, where: { row?: number; column?: string } = {}) {
    super(message);
    this.name = 'TableError';
    this.code = code;
    if (where.row !== undefined) this.row = where.row;
    if (where.column !== undefined) this.column = where.column;
  }
}

/** Rows and chunks of rows over one source of chunks, readable once in either form. */
export function rowsAndChunks(source: AsyncGenerator<TableRow[]>): Pick<Table, 'rows' | 'chunks'> {
  let used = false;
  const take = () => {
    if (used) throw new Error('the rows of a table can be read only once: open it again');
    used = true;
    return source;
  };
  async function* flat(chunks: AsyncGenerator<TableRow[]>): AsyncGenerator<TableRow> {
    for await (const chunk of chunks) yield* chunk;
  }
  return { rows: { [Symbol.asyncIterator]: () => flat(take()) }, chunks: { [Symbol.asyncIterator]: () => take() } };
}

/** Groups a row generator into chunks. */
export async function* chunked(rows: AsyncGenerator<TableRow>, size = 1000): AsyncGenerator<TableRow[]> {
  let chunk: TableRow[] = [];
  for await (const r of rows) {
    chunk.push(r);
    if (chunk.length >= size) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length) yield chunk;
}
