/** The API's contract: problem+json errors naming every field, limits, health, OpenAPI, auth on every route. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGenio, type TestGenio } from '../support/genio.ts';
import { messageBody } from '../support/factories.ts';
import { PUBLIC_ROUTES } from '../../src/api/app.ts';

describe('API contract', () => {
  let t: TestGenio;
  beforeAll(async () => {
    t = await startTestGenio();
  });
  afterAll(async () => t?.close());

  it('reports every invalid field at once, with stable codes', async () => {
    const r = await t.api('POST', '/api/v1/messages', {
      service: 'tari',
      fiscal_code: 'RSSMRA79B11C566X',
      subject: 'short',
      markdown: 'too short',
      due_date: '2026-02-30',
      payment_data: { amount: 0, notice_number: '301011100007347558' },
      scheduled_at: '2020-01-01T00:00:00Z',
      colour: 'blue',
    });
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(r.body).toMatchObject({ type: 'urn:genio:problem:validation_failed', code: 'validation_failed', status: 400 });
    const byField = Object.fromEntries(r.body.errors.map((e: { field: string; code: string }) => [e.field, e.code]));
    expect(byField).toMatchObject({
      fiscal_code: 'check_character',
      subject: 'too_short',
      markdown: 'too_short',
      due_date: 'invalid_date',
      'payment_data.amount': 'out_of_range',
      'payment_data.notice_number': 'check_digits',
      scheduled_at: 'in_the_past',
      colour: 'unknown_field',
    });
  });

  it('accepts IO\'s test fiscal code, and rejects an amount over the service maximum', async () => {
    expect((await t.api('POST', '/api/v1/messages', { ...messageBody('tari', 1), fiscal_code: 'AAAAAA00A00A000A' })).status).toBe(202);
    const r = await t.api('POST', '/api/v1/messages', messageBody('tari', 2, { payment_data: { amount: 2_000_000, notice_number: '301011100007347557' } }));
    expect(r.status).toBe(400);
    expect(r.body.errors).toContainEqual(expect.objectContaining({ field: 'payment_data.amount', code: 'exceeds_service_maximum' }));
  });

  it('answers malformed JSON, a wrong content type and an oversized body with problem+json, never 500', async () => {
    const bad = await t.api('POST', '/api/v1/messages', '{"service": "tari",');
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('malformed_json');
    const array = await t.api('POST', '/api/v1/messages', '[1,2]');
    expect(array.status).toBe(400);
    const xml = await t.api('POST', '/api/v1/messages', '<message/>', { 'content-type': 'application/xml' });
    expect(xml.status).toBe(415);
    expect(xml.body.code).toBe('unsupported_media_type');
    const huge = await t.api('POST', '/api/v1/messages', { ...messageBody('tari', 3), markdown: 'x'.repeat(t.config.bodyLimitBytes + 10) });
    expect(huge.status).toBe(413);
    expect(huge.body.code).toBe('payload_too_large');
  });

  it('pages through messages with a cursor, newest first', async () => {
    for (let i = 10; i < 15; i++) await t.api('POST', '/api/v1/messages', messageBody('tari', i, { reference: 'paging' }));
    const p1 = await t.api('GET', '/api/v1/messages?reference=paging&limit=2');
    const p2 = await t.api('GET', `/api/v1/messages?reference=paging&limit=2&cursor=${p1.body.next_cursor}`);
    const p3 = await t.api('GET', `/api/v1/messages?reference=paging&limit=2&cursor=${p2.body.next_cursor}`);
    const ids = [...p1.body.items, ...p2.body.items, ...p3.body.items].map((m: { id: string }) => m.id);
    expect(ids).toHaveLength(5);
    expect([...ids].sort().reverse()).toEqual(ids);
    expect(p3.body.next_cursor).toBeNull();
    const bad = await t.api('GET', '/api/v1/messages?limit=1000&status=lost');
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['limit', 'status']);
  });

  it('serves health, readiness, metrics and the OpenAPI document without a key', async () => {
    expect((await fetch(`${t.genio.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${t.genio.url}/readyz`);
    expect(await ready.json()).toEqual({ status: 'ready' });
    const metrics = await (await fetch(`${t.genio.url}/metrics`)).text();
    for (const name of ['genio_messages{status="queued"}', 'genio_io_calls_total', 'genio_queue_depth', 'genio_io_budget_limit', 'genio_io_call_duration_seconds_bucket']) {
      expect(metrics).toContain(name);
    }
    const doc = await (await fetch(`${t.genio.url}/openapi.json`)).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/messages', '/api/v1/messages/{id}', '/api/v1/messages/{id}/cancel', '/api/v1/profiles']));
    expect((await fetch(`${t.genio.url}/docs`)).status).toBe(200);
  });

  it('puts every route that is not public behind the API key', async () => {
    const paths = [...new Set(t.genio.api.routeList.map((r) => r.url))];
    expect(paths.length).toBeGreaterThan(5);
    // The web UI's routes (sessions, not keys) are walked by test/web/auth-coverage.test.ts.
    for (const p of paths.filter((x) => x.startsWith('/api/'))) {
      if (PUBLIC_ROUTES.some((pub) => p === pub || p.startsWith(`${pub}/`))) continue;
      const concrete = p.replace(/:id/g, '01HZZZZZZZZZZZZZZZZZZZZZZZ').replace(/\*/g, 'x');
      for (const method of ['GET', 'POST']) {
        const r = await fetch(t.genio.url + concrete, { method, headers: { 'content-type': 'application/json' }, body: method === 'POST' ? '{}' : undefined });
        expect([401, 404], `${method} ${concrete}`).toContain(r.status);
        if (r.status === 404) expect((await r.json()).code).toBe('not_found');
      }
    }
  });
});
