/**
 * XLSX files as tables: the first worksheet, row 1 as header, streamed with exceljs's
 * `stream.xlsx.WorkbookReader`. Like the CSV reader, `openTable` reads the header in a pass of
 * its own and closes everything; the rows are read in a second pass when the caller iterates
 * them, so a table that is dropped after a header check leaves nothing open.
 *
 * Three things exceljs 4.4 gets wrong are handled here:
 * - Its streaming reader decodes each chunk of XML separately, so a character whose UTF-8 bytes
 *   straddle two chunks turns into U+FFFD: a few cells in every large file with accents lose a
 *   letter (`Niccol�`). The subclass below hands it text decoded across chunk boundaries.
 * - Excel writes the worksheets before the shared strings, so exceljs spools each worksheet to a
 *   temporary file and parses it after the zip has been read. It removes a temp file only when
 *   its own loop moves past that sheet, so stopping early must still walk that loop to the end.
 * - On a zip whose compressed data is damaged it waits forever: see watchFailures.
 */
import fs from 'node:fs';
import { Readable, type Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { cellText } from './xlsx-cell.ts';
import { chunked, rowsAndChunks, TableError, type Table, type TableRow } from './table.ts';

const CHUNK_BYTES = 1 << 20;

/** What exceljs's worksheet reader exposes beyond its typings: the source of its XML. */
interface SheetReader extends AsyncIterable<ExcelJS.Row> {
  iterator: unknown;
}

/** The parts of exceljs's workbook reader used here, some of them undeclared in its typings. */
interface WorkbookReaderInternals {
  properties?: { model?: { date1904?: boolean } };
  [Symbol.asyncIterator](): AsyncGenerator<SheetReader>;
  _parseSharedStrings(entry: Readable): AsyncGenerator<unknown>;
  _parseWorksheet(iterator: unknown, sheetNo: string): Generator<unknown>;
}

const WorkbookReader = ExcelJS.stream.xlsx.WorkbookReader as unknown as new (
  input: Readable,
  options: Partial<ExcelJS.stream.xlsx.WorkbookStreamReaderOptions> & { styles?: 'cache' | 'ignore' },
) => WorkbookReaderInternals;

/** Text of XML chunks that may cut a character in two, decoded across the cuts. */
async function* decodeAcrossChunks(chunks: AsyncIterable<Buffer | string>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of chunks) {
    const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    if (text) yield text;
  }
  const rest = decoder.decode();
  if (rest) yield rest;
}

/**
 * exceljs's reader fed with text instead of bytes (its XML parser passes strings through
 * untouched). A spooled worksheet stays a stream, decoded by the stream itself, so that it can
 * still be destroyed when a read stops early.
 */
class Utf8WorkbookReader extends WorkbookReader {
  override _parseSharedStrings(entry: Readable): AsyncGenerator<unknown> {
    entry.setEncoding('utf8');
    return super._parseSharedStrings(entry);
  }

  override _parseWorksheet(iterator: unknown, sheetNo: string): Generator<unknown> {
    if (iterator instanceof Readable) return super._parseWorksheet(iterator.setEncoding('utf8'), sheetNo);
    return super._parseWorksheet(decodeAcrossChunks(iterator as AsyncIterable<Buffer>), sheetNo);
  }
}

interface Failure {
  /** The first error of the file or zip stream, once there is one. */
  readonly error: unknown;
  /**
   * `promise`, or a rejection as soon as such an error happens. (Not Promise.race with one
   * long-lived promise: each race would leave a reaction on it holding its result, one row.)
   */
  guard<T>(promise: Promise<T>): Promise<T>;
}

/**
 * Errors exceljs does not see, or sees too late. It pipes our input stream into unzipper's zip
 * stream, and `pipe` forwards no errors: a read error on the input (file removed) would be an
 * uncaught exception, and nothing would ever end the zip. unzipper reports a damaged entry (an
 * inflate error) on the zip stream, while exceljs waits for the entry itself to end: forever.
 * So both streams are watched here, every wait on exceljs is guarded, and the entry being
 * read is ended so that exceljs's loop can unwind instead of hanging. (exceljs has no cleanup on
 * errors: the sheets it had spooled stay in the temp directory, with an open descriptor each,
 * until `tmp` removes them at process exit. Only damaged files get there.)
 */
function watchFailures(input: Readable): Failure {
  let error: unknown;
  const waiting = new Set<(err: unknown) => void>();
  let entry: Writable | undefined;
  const onError = (err: unknown) => {
    if (error !== undefined) return;
    error = err;
    for (const reject of waiting) reject(err);
    entry?.end();
  };
  input.on('error', onError);
  const pipe = input.pipe.bind(input);
  input.pipe = (<T extends NodeJS.WritableStream>(zip: T, options?: { end?: boolean }): T => {
    const stream = zip as unknown as Readable;
    // exceljs reads the zip stream through 'data' events too (utils/iterate-stream.js), and
    // starts to in the same tick as it pipes: one more listener does not change the flow.
    stream.on('data', (e: Writable) => (entry = e));
    stream.on('error', onError);
    dropEarlyEnd(stream);
    return pipe(zip, options);
  }) as typeof input.pipe;
  return {
    get error() {
      return error;
    },
    guard<T>(promise: Promise<T>): Promise<T> {
      if (error !== undefined) return Promise.reject(error);
      return new Promise<T>((resolve, reject) => {
        waiting.add(reject);
        promise.then(resolve, reject).finally(() => waiting.delete(reject));
      });
    },
  };
}

/**
 * unzipper's zip stream emits 'end' by hand as soon as its input has been written to it, while
 * the entries it has already parsed may still wait in its buffer, unread because exceljs is busy
 * spooling an earlier sheet. exceljs then stops at that 'end' and never sees the rest of the
 * workbook (an intermittent "reading 'sheets'" failure on a good file). The stream's real 'end',
 * once its buffer is drained, still comes; only the early one is dropped.
 */
function dropEarlyEnd(zip: Readable): void {
  const emit = zip.emit.bind(zip);
  zip.emit = ((event: string | symbol, ...args: unknown[]) => {
    if (event === 'end' && !zip.readableEnded) return false;
    return emit(event, ...args);
  }) as typeof zip.emit;
}

/** Anything the zip or XML layers throw means a damaged or foreign file; I/O errors stay as they are. */
function asTableError(err: unknown): unknown {
  if (err instanceof TableError || (err instanceof Error && 'syscall' in err)) return err;
  const detail = err instanceof Error ? err.message : String(err);
  return new TableError('malformed_xlsx', `the XLSX file cannot be read (${detail}): save it again from Excel, or as CSV`);
}

interface SheetRow {
  number: number;
  cells: string[];
}

function rowCells(row: ExcelJS.Row, date1904: boolean): string[] {
  const cells: string[] = [];
  row.eachCell((cell, col) => {
    cells[col - 1] = cellText(cell.value, cell.numFmt, date1904);
  });
  for (let i = 0; i < cells.length; i++) cells[i] ??= ''; // columns with no cell in between
  return cells;
}

/**
 * The rows of the first worksheet as exceljs emits them: rows absent from the XML (all empty)
 * are skipped. Row numbers come from the file and are forced to increase, since resuming a
 * check relies on that and a damaged file might repeat one.
 * Closes everything when done or abandoned, including exceljs's temp files.
 */
async function* firstSheetRows(filePath: string): AsyncGenerator<SheetRow> {
  const input = fs.createReadStream(filePath, { highWaterMark: CHUNK_BYTES });
  const failure = watchFailures(input);
  const reader = new Utf8WorkbookReader(input, {
    worksheets: 'emit',
    // All distinct strings stay in memory while the sheet is read: inherent to the format,
    // since cells refer to them by index. A sheet of 1M distinct messages needs their size in RAM.
    sharedStrings: 'cache',
    styles: 'cache', // number formats: without them dates come out as day counts
    hyperlinks: 'ignore',
    entries: 'ignore',
  });
  const next = <T>(it: AsyncIterator<T>): Promise<IteratorResult<T>> =>
    failure.guard(it.next()).catch((err: unknown) => Promise.reject(asTableError(err)));
  const sheets = reader[Symbol.asyncIterator]();
  let sheet: SheetReader | undefined;
  let rows: AsyncIterator<ExcelJS.Row> | undefined;
  try {
    // The first worksheet stored in the zip, which is the first tab for files saved by Excel.
    const first = await next(sheets);
    if (first.done) {
      throw new TableError('unsupported_format', 'the file is a ZIP archive but not an Excel workbook with a worksheet: save it as .xlsx or CSV');
    }
    sheet = first.value;
    rows = sheet[Symbol.asyncIterator]();
    let last = 0;
    for (;;) {
      const row = await next(rows);
      if (row.done) return;
      const number = row.value.number > last ? row.value.number : last + 1;
      last = number;
      yield { number, cells: rowCells(row.value, reader.properties?.model?.date1904 === true) };
    }
  } finally {
    // After such an error exceljs's generators may still be stuck: waiting on them would hang.
    if (failure.error === undefined) await release(sheets, sheet, rows);
    input.destroy();
  }
}

/**
 * Destroys a spooled sheet's stream unread. Its file may be deleted by exceljs before the stream
 * has even opened it: the late ENOENT must not become an uncaught exception (in the check worker
 * it would fail a good batch).
 */
function discard(stream: Readable): void {
  stream.on('error', () => {});
  stream.destroy();
}

/** Stops exceljs's generators and lets exceljs delete its temp files. */
async function release(sheets: AsyncGenerator<SheetReader>, sheet: SheetReader | undefined, rows: AsyncIterator<ExcelJS.Row> | undefined): Promise<void> {
  await rows?.return?.(undefined).catch(() => {});
  if (sheet && sheet.iterator instanceof Readable) {
    // Spooled: the zip is already read to its end, and the rest of exceljs's loop only
    // deletes temp files (and opens the other sheets' ones, destroyed here unread).
    discard(sheet.iterator);
    for (;;) {
      const next = await sheets.next().catch(() => ({ done: true as const, value: undefined }));
      if (next.done) break;
      if (next.value.iterator instanceof Readable) discard(next.value.iterator);
    }
  } else {
    // Streamed straight from the zip (shared strings came first), or never started.
    await sheets.return(undefined).catch(() => {});
  }
}

/** The data rows: from row 2, with the rows exceljs skips put back where a later row follows. */
async function* dataRows(filePath: string, width: number): AsyncGenerator<TableRow> {
  let last = 1;
  for await (const { number, cells } of firstSheetRows(filePath)) {
    if (number === 1) continue; // the header, read by openXlsxTable
    // An empty row is yielded only once a later row proves it is not the end of the data, so
    // rows that are merely formatted below the data do not become thousands of blank rows.
    if (cells.every((c) => c === '')) continue;
    for (let n = last + 1; n < number; n++) yield { row: n, cells: new Array<string>(width).fill('') };
    while (cells.length < width) cells.push('');
    yield { row: number, cells };
    last = number;
  }
}

export async function openXlsxTable(filePath: string): Promise<Table> {
  const sheetRows = firstSheetRows(filePath);
  let first: IteratorResult<SheetRow>;
  try {
    first = await sheetRows.next();
  } finally {
    await sheetRows.return(undefined);
  }
  if (first.done) throw new TableError('empty_file', 'the first worksheet is empty');
  const header = first.value.number === 1 ? first.value.cells.map((name) => name.trim()) : [];
  if (header.every((name) => name === '')) {
    throw new TableError('no_header', 'row 1 is empty: the first row must name the columns', { row: 1 });
  }
  return { info: { format: 'xlsx', encoding: null, delimiter: null }, header, ...rowsAndChunks(chunked(dataRows(filePath, header.length))) };
}
