/** IO simulator: getMessage and the asynchronous message lifecycle (FACTS.md §5). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIoSimulator, IoSimulatorServer } from '../../src/io/simulator/index.ts';
import { CF_ACTIVE, CF_BLOCKED, CF_INBOX_OFF, CF_NOT_FOUND, MARKDOWN, SUBJECT, SVC_A, SVC_B, call, newMessage, sleep } from './sim-fixtures.ts';

// Long enough that a loaded CI machine reads the message before it is processed.
const DELAY = 400;
let sim: IoSimulatorServer;
let base: string;

beforeAll(async () => {
  sim = createIoSimulator({ rateLimit: null, processingDelayMs: DELAY }) as IoSimulatorServer;
  sim.addService(SVC_A);
  sim.addService(SVC_B);
  sim.setCitizen(CF_NOT_FOUND, 'not_found');
  sim.setCitizen(CF_INBOX_OFF, 'inbox_disabled');
  sim.setCitizen(CF_BLOCKED, 'blocked', [SVC_A.serviceId]);
  base = await sim.listen();
});
afterAll(() => sim.close());

async function send(body: Record<string, unknown>, key = SVC_A.primaryKey): Promise<string> {
  const r = await call(base, 'POST', '/api/v1/messages', { key, body });
  expect(r.status).toBe(201);
  return r.body.id as string;
}
const get = (cf: string, id: string, key = SVC_A.primaryKey) => call(base, 'GET', `/api/v1/messages/${cf}/${id}`, { key });

describe('getMessage lifecycle', () => {
  it('is ACCEPTED without content, then PROCESSED with the decoded content after the delay', async () => {
    const payment = { amount: 1250, notice_number: '301011100007347557' };
    const id = await send(newMessage(CF_ACTIVE, { payment_data: payment, colour: 'blue' }, { priority: 'high' }));
    const first = await get(CF_ACTIVE, id);
    expect(first.status).toBe(200);
    expect(first.body.status).toBe('ACCEPTED');
    expect(first.body.message).not.toHaveProperty('content');
    expect(first.body.message).toMatchObject({ id, fiscal_code: CF_ACTIVE, sender_service_id: SVC_A.serviceId, time_to_live: 3600, feature_level_type: 'STANDARD' });
    expect(new Date(first.body.message.created_at).toISOString()).toBe(first.body.message.created_at);

    await sleep(DELAY + 20);
    const later = await get(CF_ACTIVE, id);
    expect(later.body.status).toBe('PROCESSED');
    // Unknown properties were dropped at submit; IO fills the payee with the service organization.
    expect(later.body.message.content).toEqual({
      subject: SUBJECT,
      markdown: MARKDOWN,
      payment_data: { ...payment, invalid_after_due_date: false, payee: { fiscal_code: SVC_A.organizationFiscalCode } },
    });
  });

  it('ends REJECTED (USER_NOT_FOUND) for a citizen without IO, without content', async () => {
    const id = await send(newMessage(CF_NOT_FOUND));
    await sleep(DELAY + 20);
    const r = await get(CF_NOT_FOUND, id);
    expect(r.body.status).toBe('REJECTED');
    expect(r.body.message).not.toHaveProperty('content');
    expect(sim.rejectionReason(id)).toBe('USER_NOT_FOUND');
  });

  it('ends REJECTED (SERVICE_NOT_ALLOWED) for a citizen who blocked the service or disabled the inbox', async () => {
    const blocked = await send(newMessage(CF_BLOCKED));
    const disabled = await send(newMessage(CF_INBOX_OFF));
    const otherService = await send(newMessage(CF_BLOCKED), SVC_B.primaryKey);
    await sleep(DELAY + 20);
    expect((await get(CF_BLOCKED, blocked)).body.status).toBe('REJECTED');
    expect(sim.rejectionReason(blocked)).toBe('SERVICE_NOT_ALLOWED');
    expect((await get(CF_INBOX_OFF, disabled)).body.status).toBe('REJECTED');
    expect(sim.rejectionReason(disabled)).toBe('SERVICE_NOT_ALLOWED');
    // The citizen blocked only service A.
    expect((await get(CF_BLOCKED, otherService, SVC_B.primaryKey)).body.status).toBe('PROCESSED');
  });

  it('keeps the final status once decided', async () => {
    const id = await send(newMessage('DDDDDD00A00A000D'));
    await sleep(DELAY + 20);
    expect((await get('DDDDDD00A00A000D', id)).body.status).toBe('PROCESSED');
    sim.setCitizen('DDDDDD00A00A000D', 'not_found');
    expect((await get('DDDDDD00A00A000D', id)).body.status).toBe('PROCESSED');
  });

  it('ends FAILED with failRate 1', async () => {
    sim.configure({ failRate: 1 });
    try {
      const id = await send(newMessage(CF_ACTIVE, { subject: 'A message that will fail' }));
      await sleep(DELAY + 20);
      const r = await get(CF_ACTIVE, id);
      expect(r.body.status).toBe('FAILED');
      expect(r.body.message).not.toHaveProperty('content');
    } finally {
      sim.configure({ failRate: 0 });
    }
  });
});

describe('getMessage errors', () => {
  it('answers 403 to a service reading another service’s message', async () => {
    const id = await send(newMessage(CF_ACTIVE));
    const r = await get(CF_ACTIVE, id, SVC_B.primaryKey);
    expect(r.status).toBe(403);
    expect(r.body).toMatchObject({ status: 403, detail: 'You are not allowed to read this message, you can only read messages that you have sent' });
  });

  it('answers 404 to an unknown id and to the id of another citizen', async () => {
    const id = await send(newMessage(CF_ACTIVE));
    for (const r of [await get(CF_ACTIVE, '01ARZ3NDEKTSV4RRFFQ69G5FAV'), await get(CF_BLOCKED, id)]) {
      expect(r.status).toBe(404);
      expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(r.body).toMatchObject({ status: 404, title: 'Message not found' });
    }
  });

  it('answers 400 to a malformed path fiscal code', async () => {
    expect((await get('not-a-cf', '01ARZ3NDEKTSV4RRFFQ69G5FAV')).status).toBe(400);
  });
});
