/** The callback URL rule shared by `genio admin create-api-key` and the web UI's Chiavi API. */
import { describe, expect, it } from 'vitest';
import { CALLBACK_URL_MAX, checkCallbackUrl } from '../../src/domain/callback-url.ts';

describe('checkCallbackUrl', () => {
  it.each([
    [' https://ente.example/genio ', 'https://ente.example/genio'],
    ['http://10.0.0.5:8080/cb?x=1', 'http://10.0.0.5:8080/cb?x=1'],
    ['HTTPS://Ente.Example', 'https://ente.example/'],
  ])('accepts %j as %j', (raw, value) => {
    expect(checkCallbackUrl(raw)).toEqual({ ok: true, value });
  });

  it.each([
    ['ente.example/genio', 'invalid_url'],
    ['', 'invalid_url'],
    ['ftp://ente.example/x', 'protocol'],
    ['javascript:alert(1)', 'protocol'],
    ['https://user:pw@ente.example/x', 'credentials'],
    ['https://user@ente.example/x', 'credentials'],
    [`https://ente.example/${'a'.repeat(CALLBACK_URL_MAX)}`, 'too_long'],
  ])('refuses %j (%s)', (raw, code) => {
    expect(checkCallbackUrl(raw)).toMatchObject({ ok: false, code });
  });
});
