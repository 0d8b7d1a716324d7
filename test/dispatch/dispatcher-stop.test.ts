/**
 * Stopping the dispatcher (SIGTERM) while a round is between its start and its claim: the round
 * must not claim after stop() has returned, or its messages stay in 'sending' until their lease
 * runs out (seen in CI as 148–167 messages still 'sending' after a graceful stop).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { DB_KINDS, startTestGenio, type TestGenio } from '../support/genio.ts';
import { messageBody } from '../support/factories.ts';

describe.each(DB_KINDS)('dispatcher stop on %s', (db) => {
  let t: TestGenio;
  beforeAll(async () => {
    t = await startTestGenio({ db });
  });
  afterAll(async () => t?.close());

  it('waits for the round in progress: what it had claimed is back in the queue when stop() returns', async () => {
    const { dispatcher } = t.genio;
    await dispatcher.stop();
    for (let i = 0; i < 20; i++) expect((await t.api('POST', '/api/v1/messages', messageBody('tari', i))).status).toBe(202);

    // The next round claims, then waits 200 ms before it starts the calls: stop() comes in between.
    type Claim = (account: string, slots: number, now: number) => Promise<{ sends: unknown[] }>;
    const d = dispatcher as unknown as { claim: Claim };
    const claim = d.claim.bind(dispatcher);
    let claimed!: () => void;
    const inRound = new Promise<void>((resolve) => (claimed = resolve));
    d.claim = async (account, slots, now) => {
      const work = await claim(account, slots, now);
      if (work.sends.length) claimed();
      await new Promise((r) => setTimeout(r, 200));
      return work;
    };
    dispatcher.start();
    await inRound;
    await dispatcher.stop();
    d.claim = claim;

    const { rows } = await sql<{ status: string; n: number }>`select status, count(*) as n from messages group by status`.execute(t.genio.database.db);
    // The calls found the budget closed and gave their messages back to the queue.
    expect(Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]))).toEqual({ queued: 20 });
  });
});
