/**
 * A batch's results report: one line per row of the file, `riga;codice_fiscale;stato;id_messaggio_io;motivo`,
 * UTF-8 with a BOM and `;` between fields (what Italian Excel opens with accents intact). `stato`
 * is the message's status, `invalid` for a row with errors (never sent), `pending` for one not in
 * the queue yet. The API's report.csv and the web UI's resoconto.csv are this text.
 */
import type { Kysely } from 'kysely';
import type { Schema } from '../store/schema.ts';
import { listBatchRows } from '../store/batches/read.ts';
import { csvCell } from './sample-csv.ts';

export const REPORT_HEADER = 'riga;codice_fiscale;stato;id_messaggio_io;motivo';

/** Rows read a page at a time: a million-row report streams in bounded memory. */
const REPORT_PAGE = 5000;

const cell = (v: string | null) => (v === null ? '' : csvCell(v));

export function reportFileName(batchId: string): string {
  return `esito-${batchId}.csv`;
}

/** The report as chunks of text, for a streamed response. */
export async function* batchReportCsv(db: Kysely<Schema>, batchId: string): AsyncGenerator<string> {
  yield `\uFEFF${REPORT_HEADER}\r\n`;
  let after = 0;
  for (;;) {
    const rows = await listBatchRows(db, batchId, { afterRow: after, limit: REPORT_PAGE });
    if (!rows.length) return;
    yield rows.map((r) => `${r.row_number};${cell(r.fiscal_code)};${r.status};${cell(r.io_message_id)};${cell(r.reason)}\r\n`).join('');
    after = rows[rows.length - 1].row_number;
  }
}
