/**
 * The dispatcher's choices: the per-service profile check switch and its cache, the profile API,
 * scheduled sending, retry limits, the poll age limit, and sandbox keys that never reach IO.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startTestGenio, type TestGenio } from '../support/genio.ts';
import { buildApiKey, buildService, messageBody, validFiscalCode } from '../support/factories.ts';

describe('delivery options', () => {
  let t: TestGenio;
  afterEach(async () => t?.close());

  const final = (id: string, statuses = ['delivered', 'rejected', 'failed']) =>
    t.until(async () => {
      const r = await t.api('GET', `/api/v1/messages/${id}`);
      return statuses.includes(r.body.status) ? r.body : null;
    }, 20_000);
  const calls = (op: string, cf: string) => t.sim.requests().filter((r) => r.operation === op && (r.body as any)?.fiscal_code === cf).length;

  it('checks the profile once per citizen within the cache time, and not at all when the service turns it off', async () => {
    t = await startTestGenio();
    const cf = validFiscalCode(1);
    await final((await t.api('POST', '/api/v1/messages', messageBody('tari', 1))).body.id);
    await final((await t.api('POST', '/api/v1/messages', { ...messageBody('tari', 2), fiscal_code: cf })).body.id);
    expect(calls('getProfile', cf)).toBe(1);
    expect(calls('submitMessage', cf)).toBe(2);

    await buildService(t.genio.database.db, t.masterKey, t.sim, t.ente, { code: 'noprofile', profileCheck: false });
    const other = validFiscalCode(3);
    t.sim.setCitizen(other, 'not_found');
    const m = await final((await t.api('POST', '/api/v1/messages', messageBody('noprofile', 3))).body.id);
    // Without the check the submit is spent, and IO's own answer says rejected.
    expect(m.status).toBe('rejected');
    expect(m.last_error).toMatch(/IO: REJECTED/);
    expect(calls('getProfile', other)).toBe(0);
    expect(calls('submitMessage', other)).toBe(1);
  });

  it('answers the profile API from IO: can receive, not on IO, blocked', async () => {
    t = await startTestGenio();
    t.sim.setCitizen(validFiscalCode(2), 'not_found');
    t.sim.setCitizen(validFiscalCode(3), 'blocked');
    const ask = (n: number) => t.api('POST', '/api/v1/profiles', { service: 'tari', fiscal_code: validFiscalCode(n) });
    expect((await ask(1)).body).toEqual({ sender_allowed: true, on_io: true });
    expect((await ask(2)).body).toEqual({ sender_allowed: false, on_io: false });
    expect((await ask(3)).body).toEqual({ sender_allowed: false, on_io: true });
    const bad = await t.api('POST', '/api/v1/profiles', { service: 'tari', fiscal_code: 'RSSMRA79B11C566X' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]).toMatchObject({ field: 'fiscal_code', code: 'check_character' });
  });

  it('sends a scheduled message when its time comes, not before', async () => {
    t = await startTestGenio();
    const at = new Date(Date.now() + 1500);
    const res = await t.api('POST', '/api/v1/messages', messageBody('tari', 4, { scheduled_at: at.toISOString() }));
    expect(res.body.status).toBe('scheduled');
    await new Promise((r) => setTimeout(r, 800));
    expect(calls('submitMessage', validFiscalCode(4))).toBe(0);
    const m = await final(res.body.id);
    expect(m.status).toBe('delivered');
    const submitted = t.sim.requests().find((r) => r.operation === 'submitMessage' && (r.body as any)?.fiscal_code === validFiscalCode(4));
    expect(submitted!.at).toBeGreaterThanOrEqual(at.getTime());
    expect(m.history.map((h: { status: string }) => h.status)).toEqual(['scheduled', 'queued', 'sending', 'sent', 'delivered']);
  });

  it('fails a message with the reason once the retry limit is reached', async () => {
    t = await startTestGenio({ sim: { errorRate: 1 }, config: { retryBaseMs: 10, retryMaxAttempts: 3 } });
    const m = await final((await t.api('POST', '/api/v1/messages', messageBody('tari', 5))).body.id);
    expect(m.status).toBe('failed');
    expect(m.last_error).toMatch(/IO answered 500.*gave up after 3 attempts/);
    expect(m.attempts).toBe(3);
  });

  it('stops polling after the maximum age and says the outcome is unknown', async () => {
    t = await startTestGenio({ sim: { processingDelayMs: 3_600_000 }, config: { pollMaxAgeMs: 300 } });
    const res = await t.api('POST', '/api/v1/messages', messageBody('tari', 6));
    const m = await t.until(async () => {
      const r = await t.api('GET', `/api/v1/messages/${res.body.id}`);
      return /outcome unknown/.test(r.body.last_error ?? '') ? r.body : null;
    });
    expect(m.status).toBe('sent');
    const polls = () => t.sim.requests().filter((r) => r.operation === 'getMessage').length;
    const before = polls();
    expect(before).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 500));
    expect(polls()).toBe(before);
  });

  it('sends a sandbox key\'s messages to the built-in simulator, never to IO', async () => {
    t = await startTestGenio();
    const { key } = await buildApiKey(t.genio.database.db, t.masterKey, t.ente, { sandbox: true });
    const res = await t.api('POST', '/api/v1/messages', messageBody('tari', 7), { authorization: `Bearer ${key}` });
    expect(res.status).toBe(202);
    expect(res.body.sandbox).toBe(true);
    const m = await final(res.body.id);
    expect(m.status).toBe('delivered');
    expect(t.sim.requests().filter((r) => JSON.stringify(r.body ?? '').includes(validFiscalCode(7)))).toHaveLength(0);
    expect(t.genio.sandbox!.stats().messages).toBe(1);

    // The sandbox's answer about this citizen (an invented one) never stands in for IO's.
    t.sim.setCitizen(validFiscalCode(7), 'not_found');
    const real = await final((await t.api('POST', '/api/v1/messages', messageBody('tari', 7))).body.id);
    expect(real.status).toBe('rejected');
    expect(calls('getProfile', validFiscalCode(7))).toBe(1);
    expect(calls('submitMessage', validFiscalCode(7))).toBe(0);
  });
});
