/**
 * The outcome writer's shared transactions: work handed to `transact` runs after the outcomes of
 * the same flush and commits with them; when the transaction fails, the work is refused and the
 * outcomes are tried again, never lost.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { Database } from '../../src/store/db.ts';
import { acceptMessages } from '../../src/store/messages/accept.ts';
import { OutcomeWriter } from '../../src/dispatch/outcome-writer.ts';
import { createLogger } from '../../src/log.ts';
import { DB_KINDS, openSeeded } from '../support/genio.ts';
import { validFiscalCode } from '../support/factories.ts';

const OWNER = 'w-test';
const silent = createLogger('silent');

describe.each(DB_KINDS)('outcome writer on %s', (kind) => {
  let database: Database;
  let close: () => Promise<void>;
  let ids: string[];
  beforeAll(async () => {
    const seeded = await openSeeded(kind);
    ({ database, close } = seeded);
    const { ente, service } = seeded;
    const message = (n: number) => ({
      enteId: ente.id, service, apiKey: null, priority: 1,
      message: { fiscalCode: validFiscalCode(n), subject: 'Oggetto di prova', markdown: 'Testo di prova '.padEnd(90, '.'), dueDate: null, payment: null, scheduledAt: null, reference: null },
    });
    const results = await acceptMessages(database.db, [message(1), message(2)], Date.now());
    ids = results.map((r) => (r.kind === 'created' ? r.message.id : ''));
    // Claimed by this worker, as the dispatcher's claim leaves them.
    await database.db.updateTable('messages').set({ status: 'sending', lease_owner: OWNER, lease_until: Date.now() + 60_000 }).execute();
  });
  afterAll(async () => close?.());

  const phase = async (id: string) => (await database.db.selectFrom('messages').select('phase').where('id', '=', id).executeTakeFirstOrThrow()).phase;

  it('runs the work after the outcomes of the same flush, in their transaction', async () => {
    const writer = new OutcomeWriter(database, OWNER, silent, () => {});
    const marked = writer.push({ kind: 'submitting', id: ids[0] });
    const seen = writer.transact(async (trx) => (await sql<{ phase: string | null }>`select phase from messages where id = ${ids[0]}`.execute(trx)).rows[0].phase);
    expect(await seen).toBe('submitting');
    expect(await marked).toBe(true);
    await writer.drain();
  });

  it('refuses the work when the transaction fails, and records the outcomes at the next try', async () => {
    const errors: string[] = [];
    const log = createLogger('error', { write: (line: string) => void errors.push(line) });
    const writer = new OutcomeWriter(database, OWNER, log, () => {});
    const marked = writer.push({ kind: 'submitting', id: ids[1] });
    const failing = writer.transact(async () => {
      throw new Error('claim failed');
    });
    await expect(failing).rejects.toThrow('claim failed');
    // Rolled back with the failed work, then written by the retry.
    expect(await marked).toBe(true);
    expect(await phase(ids[1])).toBe('submitting');
    expect(errors.join('')).toMatch(/recording outcomes failed; trying again/);
    await writer.drain();
  });
});
