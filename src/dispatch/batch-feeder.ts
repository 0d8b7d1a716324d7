/**
 * The batch feeder: moves the rows of confirmed batches into the outbox, a window at a time, so
 * that batch rows share the one dispatcher with single messages. Batch rows go in with the lowest
 * priority (2): the same ente's single messages and payment notices pass before them, and the
 * dispatcher's per-ente rotation keeps other enti's messages moving. A batch is done when every
 * row is in the outbox and none of its messages waits to go to IO.
 */
import type { Kysely } from 'kysely';
import { compileTemplate, type CompiledTemplate } from '../domain/render-template.ts';
import type { Schema } from '../store/schema.ts';
import type { Batch } from '../store/batches/create.ts';
import { ALL_FED, batchesToFeed, feedRows, markBatchDone, pendingMessages } from '../store/batches/feed.ts';
import { decodeRowPayload } from '../store/batches/row-payload.ts';
import { newMessageRow } from '../store/messages/accept.ts';
import { getService } from '../store/services.ts';
import { getApiKey } from '../store/api-keys.ts';
import { getTemplate } from '../store/templates.ts';

/** At most this many of one batch's messages wait in the outbox at a time. */
export const FEED_WINDOW = 5000;
/** Rows moved in one transaction. */
export const FEED_CHUNK = 2000;
/** Batch rows come after single messages of the same ente. */
export const BATCH_PRIORITY = 2;

export class BatchFeeder {
  private readonly templates = new Map<string, CompiledTemplate>();

  constructor(private readonly db: Kysely<Schema>, private readonly onFed: () => void, private readonly onDone: (batch: Batch) => void = () => {}) {}

  /** One round over every batch that is sending; true when it fed a full chunk (more may wait). */
  async run(now: number): Promise<boolean> {
    let more = false;
    for (const batch of await batchesToFeed(this.db, now)) {
      if (batch.fed_row === ALL_FED) {
        if (await markBatchDone(this.db, batch.id, now)) this.onDone(batch);
        continue;
      }
      const room = FEED_WINDOW - (await pendingMessages(this.db, batch.id));
      if (room < Math.min(FEED_CHUNK, FEED_WINDOW / 2)) continue;
      const limit = Math.min(room, FEED_CHUNK);
      const toMessage = await this.messageBuilder(batch, now);
      const { fed } = await feedRows(this.db, batch, limit, now, toMessage);
      if (fed) this.onFed();
      if (fed === limit) more = true;
    }
    return more;
  }

  private async messageBuilder(batch: Batch, now: number) {
    const [service, apiKey, template] = await Promise.all([
      getService(this.db, batch.service_id),
      batch.api_key_id ? getApiKey(this.db, batch.api_key_id) : undefined,
      this.template(batch),
    ]);
    if (!service) throw new Error(`batch ${batch.id}: its service is gone`);
    const templateRef = batch.template_id && batch.template_version ? { id: batch.template_id, version: batch.template_version } : null;
    const render = (data: Record<string, string>) => {
      const r = template?.render(data);
      // Rendering is a pure function of the same version and values that passed the check.
      if (!r?.ok) throw new Error(`batch ${batch.id}: a checked row no longer renders with template version ${batch.template_version}`);
      return r;
    };
    return (row: { row_number: number; payload: string }) => ({
      ...newMessageRow(
        {
          enteId: batch.ente_id,
          service,
          apiKey: apiKey ? { id: apiKey.id, sandbox: apiKey.sandbox } : null,
          userId: batch.user_id,
          message: decodeRowPayload(row.payload, render),
          priority: BATCH_PRIORITY,
          template: templateRef,
        },
        now,
      ),
      batch_id: batch.id,
      batch_row: row.row_number,
    });
  }

  private async template(batch: Batch): Promise<CompiledTemplate | null> {
    if (!batch.template_id || !batch.template_version) return null;
    const key = `${batch.template_id}@${batch.template_version}`;
    let compiled = this.templates.get(key);
    if (!compiled) {
      const t = await getTemplate(this.db, batch.ente_id, batch.template_id, batch.template_version);
      if (!t) throw new Error(`batch ${batch.id}: template ${key} is missing`);
      compiled = compileTemplate(t.definition);
      this.templates.set(key, compiled);
    }
    return compiled;
  }
}
