/**
 * Accepting a message: the row, its first history entry and its idempotency record are written in
 * one transaction. From then on the row is the job: nothing about it lives only in memory.
 */
import type { Kysely, Transaction } from 'kysely';
import { MESSAGE_COLUMNS, MESSAGE_EVENT_COLUMNS, type IdempotencyKeyTable, type Schema, type MessageTable } from '../schema.ts';
import type { ValidMessage } from '../../domain/message-input.ts';
import { newId } from '../ids.ts';
import { insertRows } from '../raw-statements.ts';
import { SANDBOX_ACCOUNT } from '../io-accounts.ts';

export type Message = MessageTable;

export interface AcceptInput {
  enteId: string;
  service: { id: string; io_account: string };
  apiKey: { id: string; sandbox: number } | null;
  /** The web UI user sending it, when not sent with an API key. */
  userId?: string | null;
  message: ValidMessage;
  priority: number;
  /** The template version the text was rendered from. */
  template?: { id: string; version: number } | null;
  /** Idempotency-Key header and a hash of the request it came with. */
  idempotency?: { key: string; requestHash: string };
}

export type AcceptResult =
  | { kind: 'created'; message: Message }
  | { kind: 'replayed'; message: Message }
  | { kind: 'conflict'; messageId: string };

export function newMessageRow(input: AcceptInput, now: number): Message {
  const m = input.message;
  const scheduled = m.scheduledAt !== null && m.scheduledAt.getTime() > now;
  const sandbox = input.apiKey?.sandbox ? 1 : 0;
  return {
    id: newId(),
    ente_id: input.enteId,
    service_id: input.service.id,
    io_account: sandbox ? SANDBOX_ACCOUNT : input.service.io_account,
    api_key_id: input.apiKey?.id ?? null,
    user_id: input.userId ?? null,
    sandbox,
    fiscal_code: m.fiscalCode,
    subject: m.subject,
    markdown: m.markdown,
    due_date: m.dueDate?.getTime() ?? null,
    amount: m.payment?.amount ?? null,
    notice_number: m.payment?.noticeNumber ?? null,
    invalid_after_due_date: m.payment ? (m.payment.invalidAfterDueDate ? 1 : 0) : null,
    payee_fiscal_code: m.payment?.payeeFiscalCode ?? null,
    reference: m.reference,
    priority: input.priority,
    status: scheduled ? 'scheduled' : 'queued',
    scheduled_at: m.scheduledAt?.getTime() ?? null,
    due_at: scheduled ? m.scheduledAt!.getTime() : now,
    attempts: 0,
    polls: 0,
    lease_owner: null,
    lease_until: null,
    phase: null,
    io_message_id: null,
    key_used: null,
    last_error: null,
    possible_duplicate: 0,
    created_at: now,
    updated_at: now,
    sent_at: null,
    final_at: null,
    purged_at: null,
    batch_id: null,
    batch_row: null,
    template_id: input.template?.id ?? null,
    template_version: input.template?.version ?? null,
  };
}

async function lookup(trx: Transaction<Schema>, enteId: string, idem: NonNullable<AcceptInput['idempotency']>): Promise<AcceptResult | null> {
  const prior = await trx
    .selectFrom('idempotency_keys')
    .select(['request_hash', 'message_id'])
    .where('ente_id', '=', enteId)
    .where('key', '=', idem.key)
    .executeTakeFirst();
  if (!prior) return null;
  if (prior.request_hash !== idem.requestHash) return { kind: 'conflict', messageId: prior.message_id };
  const message = await trx.selectFrom('messages').selectAll().where('ente_id', '=', enteId).where('id', '=', prior.message_id).executeTakeFirstOrThrow();
  return { kind: 'replayed', message };
}

/** Inserts messages and their first events inside an open transaction (also used by batches). */
export async function insertMessages(trx: Kysely<Schema>, rows: Message[]): Promise<void> {
  if (!rows.length) return;
  await insertRows(trx, 'messages', MESSAGE_COLUMNS, rows);
  await insertRows(trx, 'message_events', MESSAGE_EVENT_COLUMNS, rows.map((r) => ({ message_id: r.id, status: r.status, at: r.created_at, reason: r.status === 'scheduled' ? 'accepted, scheduled' : 'accepted' })));
}

export async function acceptMessages(db: Kysely<Schema>, inputs: AcceptInput[], now = Date.now()): Promise<AcceptResult[]> {
  return db.transaction().execute(async (trx) => {
    const results: AcceptResult[] = [];
    const rows: Message[] = [];
    const keys: IdempotencyKeyTable[] = [];
    const inBatch = new Map<string, { requestHash: string; message: Message }>();
    for (const input of inputs) {
      const idem = input.idempotency;
      const batchKey = idem ? `${input.enteId}\u0000${idem.key}` : '';
      if (idem) {
        const earlier = inBatch.get(batchKey);
        if (earlier) {
          results.push(earlier.requestHash === idem.requestHash ? { kind: 'replayed', message: earlier.message } : { kind: 'conflict', messageId: earlier.message.id });
          continue;
        }
        const prior = await lookup(trx, input.enteId, idem);
        if (prior) {
          results.push(prior);
          continue;
        }
      }
      const row = newMessageRow(input, now);
      rows.push(row);
      results.push({ kind: 'created', message: row });
      if (idem) {
        inBatch.set(batchKey, { requestHash: idem.requestHash, message: row });
        keys.push({ ente_id: input.enteId, key: idem.key, request_hash: idem.requestHash, message_id: row.id, created_at: now });
      }
    }
    // SQLite takes at most 32 766 parameters a statement (PostgreSQL 65 535): a messages row has 38.
    for (let i = 0; i < rows.length; i += 500) await insertMessages(trx, rows.slice(i, i + 500));
    if (keys.length) await trx.insertInto('idempotency_keys').values(keys).execute();
    return results;
  });
}

export async function acceptMessage(db: Kysely<Schema>, input: AcceptInput, now = Date.now()): Promise<AcceptResult> {
  try {
    return (await acceptMessages(db, [input], now))[0];
  } catch (err) {
    // Two requests with one new Idempotency-Key raced (another process): the loser's insert hit
    // the primary key. Its transaction rolled back, so running it again finds the winner's record.
    if (input.idempotency && isUniqueViolation(err)) return (await acceptMessages(db, [input], now))[0];
    throw err;
  }
}

export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE';
}
