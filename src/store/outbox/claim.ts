/**
 * Claims: a worker takes due messages under a lease. Only the holder of a lease may record what
 * happened to a message (see outcomes.ts), so a worker whose lease ran out cannot overwrite the one
 * that took over. SQLite has one writer, so `UPDATE … RETURNING` is atomic there; PostgreSQL
 * shares the queue between processes with `FOR UPDATE SKIP LOCKED`.
 */
import type { Kysely } from 'kysely';
import type { Schema } from '../schema.ts';
import type { Message } from '../messages/accept.ts';
import { insertRows, runStatement, speaksPostgres } from '../raw-statements.ts';
import { MESSAGE_EVENT_COLUMNS } from '../schema.ts';

/**
 * The enti with queued messages on one IO account, by a loose index scan of `messages_queued`
 * (one index probe per ente, however many messages each has queued).
 */
async function enteIdsWithQueued(db: Kysely<Schema>, account: string): Promise<string[]> {
  const rows = await runStatement<{ ente_id: string }>(db, 'claim|enti', () => `
    with recursive e(ente_id) as (
      select min(ente_id) from messages where status = 'queued' and io_account = ?
      union all
      select (select min(ente_id) from messages where status = 'queued' and io_account = ? and ente_id > e.ente_id)
      from e where e.ente_id is not null
    )
    select ente_id from e where ente_id is not null`, [account, account]);
  return rows.map((r) => r.ente_id);
}

/**
 * What sending a message needs of its row, and all a claim returns: turning each of a row's 38
 * columns into a JS value cost more than the claim's own update (~6 µs a row on SQLite).
 */
const SEND_COLUMNS = [
  'id', 'service_id', 'io_account', 'api_key_id', 'sandbox', 'fiscal_code', 'subject', 'markdown', 'due_date', 'amount',
  'notice_number', 'invalid_after_due_date', 'payee_fiscal_code', 'reference', 'priority', 'attempts', 'created_at', 'scheduled_at',
] as const satisfies readonly (keyof Message)[];
export type SendTarget = Pick<Message, (typeof SEND_COLUMNS)[number]>;

export interface SendClaim {
  owner: string;
  account: string;
  /** How many messages to take from each ente, in the order given. */
  quota: Array<{ enteId: string; limit: number }>;
  now: number;
  leaseMs: number;
}

/** Moves due queued messages to `sending` under this worker's lease, ente by ente, most urgent first. */
async function claimForSend(trx: Kysely<Schema>, c: SendClaim): Promise<SendTarget[]> {
  const postgres = speaksPostgres(trx);
  const claimed: SendTarget[] = [];
  for (const { enteId, limit } of c.quota) {
    if (limit <= 0) continue;
    // The index is named, so that SQLite without statistics never picks another one and sorts
    // every queued row of the account (O(queue) per claim): messages_queued answers it with one range.
    const rows = await runStatement<SendTarget>(trx, 'claim|send', () => `
      update messages
      set status = 'sending', lease_owner = ?, lease_until = ?, attempts = attempts + 1, updated_at = ?
      where id in (
        select id from messages ${postgres ? '' : 'indexed by messages_queued'}
        where status = 'queued' and io_account = ? and ente_id = ? and due_at <= ?
        order by priority, due_at
        limit ?
        ${postgres ? 'for update skip locked' : ''})
      returning ${SEND_COLUMNS.join(', ')}`,
    [c.owner, c.now + c.leaseMs, c.now, c.account, enteId, c.now, limit]);
    claimed.push(...rows);
  }
  if (claimed.length) {
    const events = claimed.map((m) => ({ message_id: m.id, status: 'sending' as const, at: c.now, reason: m.attempts > 1 ? `attempt ${m.attempts}` : null }));
    for (let i = 0; i < events.length; i += 1000) await insertRows(trx, 'message_events', MESSAGE_EVENT_COLUMNS, events.slice(i, i + 1000));
  }
  // Priority first across enti too: an ente's payment notice goes before another ente's bulk row.
  return claimed.sort((a, b) => a.priority - b.priority);
}

/** What a status poll needs of a message: not its text, which may be 10 000 characters. */
const POLL_COLUMNS = ['id', 'service_id', 'io_account', 'api_key_id', 'sandbox', 'fiscal_code', 'io_message_id', 'reference', 'polls', 'created_at', 'sent_at'] as const satisfies readonly (keyof Message)[];
export type PollTarget = Pick<Message, (typeof POLL_COLUMNS)[number]>;

/** Takes `sent` messages whose status poll is due, under this worker's lease. */
async function claimForPoll(trx: Kysely<Schema>, c: { owner: string; account: string; limit: number; now: number; leaseMs: number }): Promise<PollTarget[]> {
  if (c.limit <= 0) return [];
  return runStatement<PollTarget>(trx, 'claim|poll', () => `
    update messages
    set lease_owner = ?, lease_until = ?
    where id in (
      select id from messages
      where status = 'sent' and due_at <= ? and io_account = ?
        and (lease_until is null or lease_until < ?)
      order by due_at
      limit ?
      ${speaksPostgres(trx) ? 'for update skip locked' : ''})
    returning ${POLL_COLUMNS.join(', ')}`,
  [c.owner, c.now + c.leaseMs, c.now, c.account, c.now, c.limit]);
}

export interface RoundClaim {
  owner: string;
  account: string;
  /** Free slots: polls take at most `pollShare` of them, sends the rest. */
  slots: number;
  pollShare: number;
  /** Shares the send slots between the enti with queued messages (the dispatcher's fairness rule). */
  share(enti: string[], slots: number): Array<{ enteId: string; limit: number }>;
  now: number;
  leaseMs: number;
}

/**
 * One dispatch round's claim on one account, inside the caller's transaction: the status polls
 * due, then queued messages shared between enti.
 */
export async function claimRound(trx: Kysely<Schema>, c: RoundClaim): Promise<{ polls: PollTarget[]; sends: SendTarget[] }> {
  const polls = await claimForPoll(trx, { ...c, limit: Math.ceil(c.slots * c.pollShare) });
  const free = c.slots - polls.length;
  let sends: SendTarget[] = [];
  if (free > 0) {
    const quota = c.share(await enteIdsWithQueued(trx, c.account), free);
    if (quota.length) sends = await claimForSend(trx, { ...c, quota });
  }
  return { polls, sends };
}
