/**
 * Entry point for bulk-upload files: a CSV or XLSX file on disk becomes a header and a stream of
 * rows of raw cell text, never the whole file in memory. Values are not trimmed, cast or checked
 * here (the row checker does that, the same way for every format); only a file that cannot be
 * read as a table at all fails, with a TableError.
 *
 *   const table = await openTable(path);            // may throw TableError
 *   for await (const { row, cells } of table.rows) { ... }   // may throw TableError mid-way
 */
import fs from 'node:fs';
import { openCsvTable } from './csv-table.ts';
import { TableError, type Table } from './table.ts';

export { TableError, type Table, type TableInfo, type TableRow } from './table.ts';

/** XLSX files are zip archives, which start with a local file header: `PK\x03\x04`. */
const ZIP_SIGNATURE = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

/** The file's size and whether it starts like a zip. */
async function sniff(filePath: string): Promise<{ size: number; zip: boolean }> {
  const file = await fs.promises.open(filePath, 'r');
  try {
    const { size } = await file.stat();
    const head = Buffer.alloc(ZIP_SIGNATURE.length);
    const { bytesRead } = await file.read(head, 0, head.length, 0);
    return { size, zip: bytesRead === head.length && head.equals(ZIP_SIGNATURE) };
  } finally {
    await file.close();
  }
}

/**
 * Opens a table file: `opts.format` when the caller knows it (from the upload), else by content
 * (a zip is XLSX, anything else is read as CSV). Throws TableError `empty_file`, `no_header`,
 * `unsupported_format`, `malformed_csv` (a broken header) or `malformed_xlsx`.
 * Reads the whole file once before returning (CSV: to settle the encoding; XLSX: the header
 * needs the shared strings at the end of the zip) and again, streaming, as `rows` is iterated.
 */
export async function openTable(filePath: string, opts: { format?: 'csv' | 'xlsx' } = {}): Promise<Table> {
  const { size, zip } = await sniff(filePath);
  if (size === 0) throw new TableError('empty_file', 'the file is empty');
  const format = opts.format ?? (zip ? 'xlsx' : 'csv');
  if (format === 'csv') return openCsvTable(filePath);
  // Loaded on demand: exceljs is large, and most uploads are CSV.
  const { openXlsxTable } = await import('./xlsx-table.ts');
  return openXlsxTable(filePath);
}
