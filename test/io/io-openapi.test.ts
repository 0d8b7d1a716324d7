/** The contract checker of requests to IO, against the vendored IO specs (spec/io/). */
import { describe, expect, it } from 'vitest';
import { validateIoRequest } from '../support/io-openapi.ts';
import { CF_ACTIVE, TEST_CF, newMessage } from './sim-fixtures.ts';

const headers = { 'ocp-apim-subscription-key': 'k', 'content-type': 'application/json' };
const post = (path: string, body: unknown, h: Record<string, string> = headers) => validateIoRequest({ method: 'POST', path, headers: h, body });

describe('validateIoRequest', () => {
  it('accepts a correct NewMessage, with payment, due date and payee', () => {
    const body = newMessage(CF_ACTIVE, {
      due_date: '2026-10-01T21:59:59Z',
      payment_data: { amount: 1250, notice_number: '301011100007347557', invalid_after_due_date: true, payee: { fiscal_code: '00907501001' } },
    }, { feature_level_type: 'STANDARD', time_to_live: 3600 });
    expect(post('/api/v1/messages', body)).toEqual([]);
    expect(post('/api/v1/messages/', body)).toEqual([]);
  });

  it('accepts the path variant, getMessage and getProfileByPOST', () => {
    const { fiscal_code: _, ...withoutCf } = newMessage(CF_ACTIVE);
    expect(post(`/api/v1/messages/${CF_ACTIVE}`, withoutCf)).toEqual([]);
    expect(validateIoRequest({ method: 'GET', path: `/api/v1/messages/${TEST_CF}/01ARZ3NDEKTSV4RRFFQ69G5FAV`, headers, body: undefined })).toEqual([]);
    expect(post('/api/v1/profiles', { fiscal_code: TEST_CF })).toEqual([]);
  });

  it('rejects a 5-character subject', () => {
    const problems = post('/api/v1/messages', newMessage(CF_ACTIVE, { subject: 'Hello' }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/content\/subject/);
  });

  it('rejects a missing content', () => {
    expect(post('/api/v1/messages', { fiscal_code: CF_ACTIVE })).toEqual([expect.stringMatching(/content/)]);
  });

  it('rejects unknown properties that IO would silently drop, at any depth', () => {
    const problems = post('/api/v1/messages', newMessage(CF_ACTIVE, { duedate: '2026-10-01T21:59:59Z' }, { priority: 1 }));
    expect(problems).toEqual([expect.stringMatching(/body\/content\/duedate/), expect.stringMatching(/body\/priority/)]);
    // prescription_data exists only in the older services spec, not in the deployed messages API.
    expect(post('/api/v1/messages', newMessage(CF_ACTIVE, { prescription_data: { nre: '123456789012345' } }))).toEqual([expect.stringMatching(/prescription_data/)]);
  });

  it('rejects a bad path fiscal code', () => {
    const problems = validateIoRequest({ method: 'GET', path: '/api/v1/messages/rssmra79b11c566r/01ARZ3NDEKTSV4RRFFQ69G5FAV', headers, body: undefined });
    expect(problems).toEqual([expect.stringMatching(/path parameter fiscal_code/)]);
  });

  it('rejects formats IO defines: fiscal code, timestamp, notice number, organization code', () => {
    expect(post('/api/v1/profiles', { fiscal_code: 'RSSMRA79B11C566' })).toHaveLength(1);
    expect(post('/api/v1/messages', newMessage(CF_ACTIVE, { due_date: '01/10/2026' }))).toHaveLength(1);
    expect(post('/api/v1/messages', newMessage(CF_ACTIVE, { payment_data: { amount: 1, notice_number: '12' } }))).toHaveLength(1);
    expect(post('/api/v1/messages', newMessage(CF_ACTIVE, { payment_data: { amount: 1, notice_number: '301011100007347557', payee: { fiscal_code: '123' } } }))).toHaveLength(1);
    expect(post('/api/v1/messages', newMessage(CF_ACTIVE, {}, { feature_level_type: 'PREMIUM' }))).toHaveLength(1);
  });

  it('requires the subscription key, a JSON content type and a known operation', () => {
    expect(post('/api/v1/profiles', { fiscal_code: TEST_CF }, { 'content-type': 'application/json' })).toEqual(['missing header Ocp-Apim-Subscription-Key']);
    expect(post('/api/v1/profiles', { fiscal_code: TEST_CF }, { 'Ocp-Apim-Subscription-Key': 'k' })).toEqual([expect.stringMatching(/content-type/)]);
    expect(validateIoRequest({ method: 'DELETE', path: '/api/v1/messages', headers, body: undefined })).toEqual([expect.stringMatching(/no operation/)]);
  });
});
