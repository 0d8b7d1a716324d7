/** Accepting a batch in one transaction answers exactly as accepting its messages one by one would. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/store/db.ts';
import { acceptMessages, type AcceptInput } from '../../src/store/messages/accept.ts';
import { DB_KINDS, openSeeded } from '../support/genio.ts';
import { validFiscalCode } from '../support/factories.ts';

describe.each(DB_KINDS)('acceptMessages on %s', (kind) => {
  let database: Database;
  let close: () => Promise<void>;
  let input: (n: number, key?: string, hash?: string) => AcceptInput;
  beforeAll(async () => {
    const seeded = await openSeeded(kind);
    ({ database, close } = seeded);
    const { ente, service } = seeded;
    input = (n, key, hash = 'h1') => ({
      enteId: ente.id,
      service,
      apiKey: null,
      priority: 1,
      message: { fiscalCode: validFiscalCode(n), subject: 'Oggetto di prova', markdown: 'x'.repeat(80), dueDate: null, payment: null, scheduledAt: null, reference: null },
      idempotency: key ? { key, requestHash: hash } : undefined,
    });
  });
  afterAll(async () => close?.());

  it('replays a repeated key in the same batch, refuses it with another body, and stores each new message once', async () => {
    const results = await acceptMessages(database.db, [input(1, 'k1'), input(1, 'k1'), input(2, 'k1', 'h2'), input(3)]);
    expect(results.map((r) => r.kind)).toEqual(['created', 'replayed', 'conflict', 'created']);
    const first = results[0].kind === 'created' ? results[0].message.id : '';
    expect(results[1].kind === 'replayed' && results[1].message.id).toBe(first);
    expect(results[2].kind === 'conflict' && results[2].messageId).toBe(first);
    const again = await acceptMessages(database.db, [input(1, 'k1')]);
    expect(again[0].kind === 'replayed' && again[0].message.id).toBe(first);
    const { count } = await database.db.selectFrom('messages').select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
    expect(Number(count)).toBe(2);
  });
});
