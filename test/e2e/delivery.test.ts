/** A message's whole life over real HTTP: GeNIO → simulator → back, on each database. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DB_KINDS, startTestGenio, type TestGenio } from '../support/genio.ts';
import { messageBody, validFiscalCode, validNoticeNumber } from '../support/factories.ts';
import { validateIoRequest } from '../support/io-openapi.ts';

describe.each(DB_KINDS)('delivery on %s', (db) => {
  let t: TestGenio;
  beforeAll(async () => {
    t = await startTestGenio({ db });
  });
  afterAll(async () => t?.close());

  const finalStatus = async (id: string) =>
    t.until(async () => {
      const r = await t.api('GET', `/api/v1/messages/${id}`);
      return ['delivered', 'rejected', 'failed', 'cancelled'].includes(r.body.status) ? r.body : null;
    });

  it('delivers a message and records every step of its history', async () => {
    const res = await t.api('POST', '/api/v1/messages', messageBody('tari', 1));
    expect(res.status).toBe(202);
    expect(res.headers.get('location')).toBe(`/api/v1/messages/${res.body.id}`);
    expect(res.body.status).toBe('queued');
    const m = await finalStatus(res.body.id);
    expect(m.status).toBe('delivered');
    expect(m.io_message_id).toMatch(/^[0-9A-Z]{26}$/);
    expect(m.history.map((h: { status: string }) => h.status)).toEqual(['queued', 'sending', 'sent', 'delivered']);
    expect(m.fiscal_code_masked).not.toContain(validFiscalCode(1).slice(3, 15));
  });

  it('sends a payment notice with its due date in UTC, and every request is valid for IO', async () => {
    const res = await t.api('POST', '/api/v1/messages', messageBody('tari', 2, {
      due_date: '2026-03-29',
      payment_data: { amount: 12_345, notice_number: validNoticeNumber(7) },
    }));
    expect(res.status).toBe(202);
    expect((await finalStatus(res.body.id)).status).toBe('delivered');
    const submit = t.sim.requests().find((r) => r.operation === 'submitMessage' && (r.body as any)?.fiscal_code === validFiscalCode(2));
    expect((submit!.body as any).content.due_date).toBe('2026-03-29T21:59:59Z');
    expect((submit!.body as any).content.payment_data).toEqual({ amount: 12_345, notice_number: validNoticeNumber(7), invalid_after_due_date: false });
    for (const r of t.sim.requests()) expect(validateIoRequest(r), `${r.method} ${r.path}`).toEqual([]);
  });

  it('rejects without a submit when the citizen is not on IO, or has blocked the service', async () => {
    t.sim.setCitizen(validFiscalCode(3), 'not_found');
    t.sim.setCitizen(validFiscalCode(4), 'blocked');
    const a = await t.api('POST', '/api/v1/messages', messageBody('tari', 3));
    const b = await t.api('POST', '/api/v1/messages', messageBody('tari', 4));
    const ma = await finalStatus(a.body.id);
    const mb = await finalStatus(b.body.id);
    expect(ma.status).toBe('rejected');
    expect(ma.last_error).toMatch(/not on IO/);
    expect(mb.status).toBe('rejected');
    expect(mb.last_error).toMatch(/blocked/);
    const submits = t.sim.requests().filter((r) => r.operation === 'submitMessage' && [validFiscalCode(3), validFiscalCode(4)].includes((r.body as any)?.fiscal_code));
    expect(submits).toHaveLength(0);
  });

  it('fails at once with IO\'s reason when IO answers 400', async () => {
    // GeNIO allows 1 000 000 cents for this service, but IO's service maximum is lower.
    const { buildService } = await import('../support/factories.ts');
    await buildService(t.genio.database.db, t.masterKey, t.sim, t.ente, { code: 'lowmax', maxPaymentAmount: 1_000_000, simMaxPaymentAmount: 100 });
    const res = await t.api('POST', '/api/v1/messages', messageBody('lowmax', 5, { payment_data: { amount: 5000, notice_number: validNoticeNumber(8) } }));
    expect(res.status).toBe(202);
    const m = await finalStatus(res.body.id);
    expect(m.status).toBe('failed');
    expect(m.last_error).toMatch(/400.*payment/i);
    expect(m.attempts).toBe(1);
  });

  it('cancels a scheduled message, and refuses to cancel one that went to IO', async () => {
    const later = new Date(Date.now() + 3_600_000).toISOString();
    const s = await t.api('POST', '/api/v1/messages', messageBody('tari', 6, { scheduled_at: later }));
    expect(s.body.status).toBe('scheduled');
    const c = await t.api('POST', `/api/v1/messages/${s.body.id}/cancel`);
    expect(c.status).toBe(200);
    expect(c.body.status).toBe('cancelled');
    const d = await t.api('POST', '/api/v1/messages', messageBody('tari', 7));
    await finalStatus(d.body.id);
    const c2 = await t.api('POST', `/api/v1/messages/${d.body.id}/cancel`);
    expect(c2.status).toBe(409);
    expect(c2.body.code).toBe('not_cancellable');
  });

  it('answers a retried request with the same message, and a reused key with another body with 409', async () => {
    const headers = { 'idempotency-key': `order-${db}-1` };
    const a = await t.api('POST', '/api/v1/messages', messageBody('tari', 8), headers);
    const b = await t.api('POST', '/api/v1/messages', messageBody('tari', 8), headers);
    expect(a.status).toBe(202);
    expect(b.status).toBe(202);
    expect(b.body.id).toBe(a.body.id);
    expect(b.headers.get('idempotent-replayed')).toBe('true');
    const c = await t.api('POST', '/api/v1/messages', messageBody('tari', 9), headers);
    expect(c.status).toBe(409);
    expect(c.body.code).toBe('idempotency_conflict');
    await finalStatus(a.body.id);
    const submits = t.sim.requests().filter((r) => r.operation === 'submitMessage' && (r.body as any)?.fiscal_code === validFiscalCode(8));
    expect(submits).toHaveLength(1);
  });
});
