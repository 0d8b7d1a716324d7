/**
 * Personal data and secrets: after real traffic (including failures that get logged), no log line
 * holds a full fiscal code, an API key or an IO key, and the database file holds no key in clear.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { startTestGenio, type TestGenio } from '../support/genio.ts';
import { messageBody, validFiscalCode } from '../support/factories.ts';
import { sha256Hex } from '../../src/store/secrets.ts';

describe('secrets and personal data', () => {
  let t: TestGenio;
  const used = [1, 2, 3, 4].map(validFiscalCode);
  beforeAll(async () => {
    t = await startTestGenio({ config: { logLevel: 'debug' } });
    t.sim.setCitizen(used[1], 'not_found');
    t.sim.refuseKey(t.service.primaryKey); // makes GeNIO log a key switch
    for (let i = 0; i < used.length; i++) {
      const r = await t.api('POST', '/api/v1/messages', messageBody('tari', i + 1, { reference: `ref-${i}` }));
      expect(r.status).toBe(202);
    }
    // A bad request and a search by fiscal code, both of which get logged as requests.
    await t.api('POST', '/api/v1/messages', { ...messageBody('tari', 9), fiscal_code: `${used[0].slice(0, 15)}Z` });
    await t.api('GET', `/api/v1/messages?fiscal_code=${used[2]}`);
    await t.api('POST', '/api/v1/profiles', { service: 'tari', fiscal_code: used[3] });
    await t.until(async () => {
      const { rows } = await sql<{ n: number }>`select count(*) as n from messages where status in ('delivered', 'rejected')`.execute(t.genio.database.db);
      return Number(rows[0].n) === used.length;
    });
  });
  afterAll(async () => t?.close());

  it('logs no full fiscal code, API key or IO key', () => {
    const all = t.logs.join('');
    expect(t.logs.length).toBeGreaterThan(10);
    for (const cf of used) expect(all).not.toContain(cf);
    expect(all).not.toContain(t.apiKey);
    expect(all).not.toContain(t.service.primaryKey);
    expect(all).not.toContain(t.service.secondaryKey);
    expect(all).toMatch(/switching to the secondary key/);
  });

  it('stores IO keys encrypted and API keys hashed: none readable in the database file', async () => {
    if (t.genio.database.dialect !== 'sqlite') return;
    await sql`pragma wal_checkpoint(TRUNCATE)`.execute(t.genio.database.db);
    const file = fs.readFileSync(t.config.databaseUrl);
    for (const secret of [t.apiKey, t.service.primaryKey, t.service.secondaryKey]) {
      expect(file.includes(Buffer.from(secret)), 'secret in clear').toBe(false);
    }
    expect(file.includes(Buffer.from(sha256Hex(t.apiKey)))).toBe(true);
  });
});
