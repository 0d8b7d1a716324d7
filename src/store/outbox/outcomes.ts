/**
 * Recording what happened to claimed messages. Workers hand their outcomes to a batch writer
 * (dispatch/outcome-writer.ts), which applies many at once here: one statement per kind of
 * outcome, one multi-row insert for the history and one for callbacks, in one transaction.
 * Every update is fenced by the lease: a row whose lease now belongs to another worker is left
 * alone and reported as lost.
 */
import type { Kysely } from 'kysely';
import type { Schema } from '../schema.ts';
import type { MessageStatus } from '../../domain/statuses.ts';
import { insertRows, repeatRows, runStatement, type Param } from '../raw-statements.ts';
import { MESSAGE_EVENT_COLUMNS } from '../schema.ts';

export interface Notify {
  apiKeyId: string;
  payload: string;
}

export type Outcome =
  /** A submit is about to leave: if the worker dies now, IO may have the message. */
  | { kind: 'submitting'; id: string }
  | { kind: 'sent'; id: string; ioMessageId: string; keyUsed: string; pollAt: number; notify?: Notify }
  | { kind: 'final'; id: string; status: Extract<MessageStatus, 'delivered' | 'rejected' | 'failed'>; reason: string; polled: boolean; notify?: Notify }
  /**
   * Back to the queue. `countAttempt: false` gives back the attempt the claim counted (a 429 or a
   * shutdown is no failure of the message); `suspect`: IO may already hold it (a submit timed out).
   */
  | { kind: 'retry'; id: string; dueAt: number; reason: string; countAttempt: boolean; suspect: boolean; notify?: Notify }
  | { kind: 'poll_again'; id: string; dueAt: number }
  | { kind: 'poll_stop'; id: string; reason: string; notify?: Notify };

type Kind = Outcome['kind'];
type Of<K extends Kind> = Extract<Outcome, { kind: K }>;

type CallbackRow = { api_key_id: string; message_id: string; payload: string; status: 'pending'; attempts: number; due_at: number; lease_until: null; last_error: null; created_at: number };
const CALLBACK_COLUMNS = ['api_key_id', 'message_id', 'payload', 'status', 'attempts', 'due_at', 'lease_until', 'last_error', 'created_at'] as const satisfies readonly (keyof CallbackRow)[];

export interface AppliedOutcomes {
  applied: Outcome[];
  /** Outcomes whose lease had passed to another worker: not recorded. */
  lost: Outcome[];
}

/** Applies outcomes, inside the caller's transaction. */
export async function applyOutcomes(trx: Kysely<Schema>, owner: string, outcomes: Outcome[], now: number): Promise<AppliedOutcomes> {
  const byKind = new Map<Kind, Outcome[]>();
  for (const o of outcomes) {
    const list = byKind.get(o.kind) ?? [];
    list.push(o);
    byKind.set(o.kind, list);
  }
  const get = <K extends Kind>(k: K) => (byKind.get(k) ?? []) as Of<K>[];

  const matched = new Set<string>();
  // Each update names the messages in a VALUES list (one row of marks per outcome) and is
  // fenced by the lease: `returning` gives the rows this worker still held.
  const update = async (kind: Kind, count: number, build: () => string, params: Param[]) => {
    for (const r of await runStatement<{ id: string }>(trx, `outcome|${kind}|${count}`, build, params)) matched.add(r.id);
  };

  const submitting = get('submitting');
  if (submitting.length) {
    await update('submitting', submitting.length, () => `
      update messages set phase = 'submitting', updated_at = ?
      where lease_owner = ? and id in (${repeatRows(submitting.length, '?')}) returning id`,
    [now, owner, ...submitting.map((o) => o.id)]);
  }
  const sent = get('sent');
  if (sent.length) {
    await update('sent', sent.length, () => `
      with v(id, io_id, key_used, due) as (values ${repeatRows(sent.length, '(?, ?, ?, cast(? as bigint))')})
      update messages set status = 'sent', phase = null, io_message_id = v.io_id, key_used = v.key_used, due_at = v.due,
        sent_at = ?, updated_at = ?, lease_owner = null, lease_until = null, last_error = null
      from v where messages.id = v.id and messages.lease_owner = ? returning messages.id`,
    [...sent.flatMap((o) => [o.id, o.ioMessageId, o.keyUsed, o.pollAt]), now, now, owner]);
  }
  const final = get('final');
  if (final.length) {
    await update('final', final.length, () => `
      with v(id, status, reason, polled) as (values ${repeatRows(final.length, '(?, ?, ?, cast(? as integer))')})
      update messages set status = v.status, phase = null, due_at = null, final_at = ?, updated_at = ?,
        lease_owner = null, lease_until = null, polls = messages.polls + v.polled,
        last_error = case when v.status = 'delivered' then null else v.reason end
      from v where messages.id = v.id and messages.lease_owner = ? returning messages.id`,
    [...final.flatMap((o) => [o.id, o.status, o.reason, o.polled ? 1 : 0]), now, now, owner]);
  }
  const retry = get('retry');
  if (retry.length) {
    await update('retry', retry.length, () => `
      with v(id, due, reason, counted, suspect) as (values ${repeatRows(retry.length, '(?, cast(? as bigint), ?, cast(? as integer), cast(? as integer))')})
      update messages set status = 'queued', phase = null, due_at = v.due, last_error = v.reason, updated_at = ?,
        lease_owner = null, lease_until = null, attempts = messages.attempts - 1 + v.counted,
        possible_duplicate = messages.possible_duplicate + v.suspect
      from v where messages.id = v.id and messages.lease_owner = ? returning messages.id`,
    [...retry.flatMap((o) => [o.id, o.dueAt, o.reason, o.countAttempt ? 1 : 0, o.suspect ? 1 : 0]), now, owner]);
  }
  const pollAgain = get('poll_again');
  if (pollAgain.length) {
    await update('poll_again', pollAgain.length, () => `
      with v(id, due) as (values ${repeatRows(pollAgain.length, '(?, cast(? as bigint))')})
      update messages set due_at = v.due, polls = messages.polls + 1, lease_owner = null, lease_until = null
      from v where messages.id = v.id and messages.lease_owner = ? returning messages.id`,
    [...pollAgain.flatMap((o) => [o.id, o.dueAt]), owner]);
  }
  const pollStop = get('poll_stop');
  if (pollStop.length) {
    await update('poll_stop', pollStop.length, () => `
      with v(id, reason) as (values ${repeatRows(pollStop.length, '(?, ?)')})
      update messages set due_at = null, polls = messages.polls + 1, last_error = v.reason, updated_at = ?,
        lease_owner = null, lease_until = null
      from v where messages.id = v.id and messages.lease_owner = ? returning messages.id`,
    [...pollStop.flatMap((o) => [o.id, o.reason]), now, owner]);
  }

  const applied = outcomes.filter((o) => matched.has(o.id));
  const lost = outcomes.filter((o) => !matched.has(o.id));
  type EventRow = { message_id: string; status: MessageStatus; at: number; reason: string | null };
  const events = applied.flatMap((o): EventRow[] => {
    switch (o.kind) {
      case 'sent': return [{ message_id: o.id, status: 'sent' as const, at: now, reason: `accepted by IO as ${o.ioMessageId}` }];
      case 'final': return [{ message_id: o.id, status: o.status, at: now, reason: o.reason }];
      case 'retry': return [{ message_id: o.id, status: 'queued' as const, at: now, reason: o.reason }];
      case 'poll_stop': return [{ message_id: o.id, status: 'sent' as const, at: now, reason: o.reason }];
      default: return [];
    }
  });
  await insertRows(trx, 'message_events', MESSAGE_EVENT_COLUMNS, events);
  const callbacks = applied.flatMap((o): CallbackRow[] =>
    'notify' in o && o.notify
      ? [{ api_key_id: o.notify.apiKeyId, message_id: o.id, payload: o.notify.payload, status: 'pending' as const, attempts: 0, due_at: now, lease_until: null, last_error: null, created_at: now }]
      : [],
  );
  await insertRows(trx, 'callbacks', CALLBACK_COLUMNS, callbacks);
  return { applied, lost };
}
