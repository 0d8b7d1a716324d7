/**
 * The first messages a checked batch will send, rendered as they will go (template rows through
 * the batch's own template version): for the API's `preview` and the web UI's check page.
 */
import type { Kysely } from 'kysely';
import type { ValidMessage } from '../../domain/message-input.ts';
import { compileTemplate } from '../../domain/render-template.ts';
import type { Schema } from '../schema.ts';
import { getTemplate } from '../templates.ts';
import type { Batch } from './create.ts';
import { firstValidRows } from './read.ts';
import { decodeRowPayload } from './row-payload.ts';

export interface PreviewRow {
  row: number;
  message: ValidMessage;
}

export async function previewBatchRows(db: Kysely<Schema>, batch: Batch, n: number): Promise<PreviewRow[]> {
  const rows = await firstValidRows(db, batch.id, n);
  if (!rows.length) return [];
  const t = batch.template_id && batch.template_version ? await getTemplate(db, batch.ente_id, batch.template_id, batch.template_version) : undefined;
  const compiled = t ? compileTemplate(t.definition) : null;
  const render = (data: Record<string, string>) => {
    const r = compiled?.render(data);
    return r?.ok ? r : { subject: '', markdown: '' };
  };
  return rows.map((r) => ({ row: r.row_number, message: decodeRowPayload(r.payload, render) }));
}
