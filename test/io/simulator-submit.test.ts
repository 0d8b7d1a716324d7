/** IO simulator: submitMessage decoding and checks, over HTTP (FACTS.md §3). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIoSimulator, type IoSimulator } from '../../src/io/simulator/index.ts';
import { validateIoRequest } from '../support/io-openapi.ts';
import { CF_ACTIVE, CF_NOT_FOUND, MARKDOWN, SVC_A, SVC_B, SVC_LIMITED, TEST_CF, call, newMessage } from './sim-fixtures.ts';

let sim: IoSimulator;
let base: string;

beforeAll(async () => {
  sim = createIoSimulator({ rateLimit: null, processingDelayMs: 20 });
  for (const s of [SVC_A, SVC_B, SVC_LIMITED, { ...SVC_A, serviceId: 'svc-premium', account: 'acc-9', primaryKey: 'kp1', secondaryKey: 'kp2', payeeEnabled: true, advancedEnabled: true }]) sim.addService(s);
  sim.setCitizen(CF_NOT_FOUND, 'not_found');
  base = await sim.listen();
});
afterAll(() => sim.close());

const submit = (body: unknown, key = SVC_A.primaryKey, path = '/api/v1/messages', headers?: Record<string, string>) => call(base, 'POST', path, { key, body, headers });
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

async function expect400(body: unknown, title: string, field: string, key?: string) {
  const r = await submit(body, key);
  expect(r.status).toBe(400);
  expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(r.body).toMatchObject({ status: 400, title });
  expect(r.body.detail).toContain(field);
}

describe('submitMessage: success', () => {
  it('answers 201 {id: ULID} with a relative Location', async () => {
    const r = await submit(newMessage(CF_ACTIVE));
    expect(r.status).toBe(201);
    expect(r.body.id).toMatch(ULID);
    expect(Object.keys(r.body)).toEqual(['id']);
    expect(r.headers.get('location')).toBe(`/api/v1/messages/${CF_ACTIVE}/${r.body.id}`);
  });

  it('accepts the trailing-slash path of the io-messages spec', async () => {
    expect((await submit(newMessage(CF_ACTIVE), SVC_A.primaryKey, '/api/v1/messages/')).status).toBe(201);
  });

  it('does not check the profile: a citizen without IO still gets 201', async () => {
    expect((await submit(newMessage(CF_NOT_FOUND))).status).toBe(201);
  });

  it('accepts the boundaries: subject 10 / 120, markdown 80 / 10000, ttl 3600 / 604800, amount = max', async () => {
    const ok = [
      newMessage(CF_ACTIVE, { subject: 'x'.repeat(10), markdown: 'm'.repeat(80) }),
      newMessage(CF_ACTIVE, { subject: 'x'.repeat(120), markdown: 'm'.repeat(10000) }),
      newMessage(CF_ACTIVE, {}, { time_to_live: 3600 }),
      newMessage(CF_ACTIVE, {}, { time_to_live: 604800 }),
      newMessage(CF_ACTIVE, { payment_data: { amount: SVC_A.maxAllowedPaymentAmount, notice_number: '301011100007347557' } }),
      newMessage(CF_ACTIVE, { due_date: '2026-10-01T21:59:59Z' }),
      newMessage(CF_ACTIVE, { due_date: '2026-10-01T23:59:59.000+02:00' }),
    ];
    for (const body of ok) expect((await submit(body)).status, JSON.stringify(body).slice(0, 120)).toBe(201);
  });

  it('drops unknown properties instead of rejecting them', async () => {
    const r = await submit(newMessage(CF_ACTIVE, { colour: 'blue' }, { priority: 'high' }));
    expect(r.status).toBe(201);
  });
});

describe('submitMessage: 400', () => {
  it('rejects a short subject, naming the field', () => expect400(newMessage(CF_ACTIVE, { subject: 'Too short' }), 'Invalid message structure', 'content.subject'));
  it('rejects a long subject', () => expect400(newMessage(CF_ACTIVE, { subject: 'x'.repeat(121) }), 'Invalid message structure', 'content.subject'));
  it('rejects a long markdown', () => expect400(newMessage(CF_ACTIVE, { markdown: 'm'.repeat(10001) }), 'Invalid message structure', 'content.markdown'));
  it('rejects a short markdown', () => expect400(newMessage(CF_ACTIVE, { markdown: 'm'.repeat(79) }), 'Invalid message structure', 'content.markdown'));
  it('rejects a bad notice number', () =>
    expect400(newMessage(CF_ACTIVE, { payment_data: { amount: 100, notice_number: '401011100007347557' } }), 'Invalid message structure', 'content.payment_data.notice_number'));
  it('rejects a non-integer amount', () =>
    expect400(newMessage(CF_ACTIVE, { payment_data: { amount: 10.5, notice_number: '301011100007347557' } }), 'Invalid message structure', 'content.payment_data.amount'));
  it('rejects an amount above the service maximum', () =>
    expect400(
      newMessage(CF_ACTIVE, { payment_data: { amount: (SVC_A.maxAllowedPaymentAmount ?? 0) + 1, notice_number: '301011100007347557' } }),
      'Error while sending payment metadata',
      'exceeds the maximum',
    ));
  it('rejects any amount when the service maximum is the default 0', () =>
    expect400(newMessage(CF_ACTIVE, { payment_data: { amount: 1, notice_number: '301011100007347557' } }), 'Error while sending payment metadata', '(0 cents)', SVC_B.primaryKey));
  it('rejects a due_date that is not an IO timestamp', () => expect400(newMessage(CF_ACTIVE, { due_date: '2026-10-01' }), 'Invalid message structure', 'content.due_date'));
  it('rejects time_to_live out of range', () => expect400(newMessage(CF_ACTIVE, {}, { time_to_live: 3599 }), 'Invalid message structure', 'time_to_live'));
  it('rejects an unknown feature_level_type', () => expect400(newMessage(CF_ACTIVE, {}, { feature_level_type: 'PREMIUM' }), 'Invalid message structure', 'feature_level_type'));
  it('rejects a malformed body fiscal_code', () => expect400(newMessage('RSSMRA79B11C566'), 'Invalid message structure', 'fiscal_code'));
  it('rejects a missing content', () => expect400({ fiscal_code: CF_ACTIVE }, 'Invalid message structure', 'content'));
  it('rejects a body not sent as JSON', async () => {
    const r = await submit(JSON.stringify(newMessage(CF_ACTIVE)), SVC_A.primaryKey, '/api/v1/messages', { 'content-type': 'text/plain' });
    expect(r.status).toBe(400);
    expect(r.body.title).toBe('Invalid message structure');
  });
});

describe('submitMessage: fiscal code in path xor body', () => {
  const { fiscal_code: _, ...withoutCf } = newMessage(CF_ACTIVE);
  it('accepts the path variant', async () => {
    const r = await submit(withoutCf, SVC_A.primaryKey, `/api/v1/messages/${CF_ACTIVE}`);
    expect(r.status).toBe(201);
    expect(r.headers.get('location')).toBe(`/api/v1/messages/${CF_ACTIVE}/${r.body.id}`);
  });
  it('rejects both with 400 "Bad parameters"', async () => {
    const r = await submit(newMessage(CF_ACTIVE), SVC_A.primaryKey, `/api/v1/messages/${CF_ACTIVE}`);
    expect(r.status).toBe(400);
    expect(r.body.title).toBe('Bad parameters');
  });
  it('rejects neither with 400 "Bad parameters"', async () => {
    const r = await submit(withoutCf);
    expect(r.status).toBe(400);
    expect(r.body.title).toBe('Bad parameters');
  });
  it('rejects a malformed path fiscal code', async () => {
    expect((await submit(withoutCf, SVC_A.primaryKey, '/api/v1/messages/rssmra79b11c566r')).status).toBe(400);
  });
});

describe('submitMessage: 403', () => {
  it('needs the payee permission to send payment_data.payee', async () => {
    const body = newMessage(CF_ACTIVE, { payment_data: { amount: 100, notice_number: '301011100007347557', payee: { fiscal_code: '00907501001' } } });
    const r = await submit(body);
    expect(r.status).toBe(403);
    expect(r.body.detail).toMatch(/payee/);
    expect((await submit(body, 'kp1')).status).toBe(201);
  });

  it('needs the ADVANCED permission to send a Premium message', async () => {
    const body = newMessage(CF_ACTIVE, {}, { feature_level_type: 'ADVANCED' });
    expect((await submit(body)).status).toBe(403);
    expect((await submit(body, 'kp1')).status).toBe(201);
  });

  it('needs the third-party permission, then a configuration_id, to send third_party_data', async () => {
    const body = newMessage(CF_ACTIVE, { third_party_data: { id: 'pratica-42' } });
    const r = await submit(body);
    expect(r.status).toBe(403);
    expect(r.body.detail).toMatch(/third party/);
    sim.addService({ serviceId: 'svc-rc', account: 'acc-rc', primaryKey: 'krc1', secondaryKey: 'krc2', thirdPartyEnabled: true });
    const noConfig = await submit(body, 'krc1');
    expect(noConfig.status).toBe(403);
    expect(noConfig.body.title).toBe('No configuration id for remote content');
    expect((await submit(newMessage(CF_ACTIVE, { third_party_data: { id: 'pratica-42', configuration_id: '01ARZ3NDEKTSV4RRFFQ69G5FAV' } }), 'krc1')).status).toBe(201);
  });

  it('answers "Recipient forbidden" to a limited service outside its recipients', async () => {
    const r = await submit(newMessage(CF_ACTIVE), SVC_LIMITED.primaryKey);
    expect(r.status).toBe(403);
    expect(r.body).toMatchObject({ title: 'Recipient forbidden', status: 403 });
    expect((await submit(newMessage(TEST_CF), SVC_LIMITED.primaryKey)).status).toBe(201);
  });
});

describe('submitMessage: the fixtures themselves match the published contract', () => {
  it('a valid submit recorded by the simulator passes validateIoRequest', async () => {
    sim.reset();
    await submit(newMessage(CF_ACTIVE, { markdown: MARKDOWN, payment_data: { amount: 500, notice_number: '301011100007347557' } }));
    const [entry] = sim.requests();
    expect(entry.status).toBe(201);
    expect(validateIoRequest({ method: entry.method, path: entry.path, headers: entry.headers, body: entry.body })).toEqual([]);
  });
});
