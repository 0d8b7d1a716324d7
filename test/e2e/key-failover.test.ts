/** IO refuses a key: GeNIO switches to the secondary key; both refused: the message fails, the service is flagged. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGenio, type TestGenio } from '../support/genio.ts';
import { buildService, messageBody } from '../support/factories.ts';
import { getService } from '../../src/store/services.ts';

describe('key failover', () => {
  let t: TestGenio;
  beforeAll(async () => {
    t = await startTestGenio();
  });
  afterAll(async () => t?.close());

  const final = (id: string) =>
    t.until(async () => {
      const r = await t.api('GET', `/api/v1/messages/${id}`);
      return ['delivered', 'failed', 'rejected'].includes(r.body.status) ? r.body : null;
    });

  it('switches to the secondary key when IO refuses the primary, and raises an alert on the service', async () => {
    t.sim.refuseKey(t.service.primaryKey);
    const res = await t.api('POST', '/api/v1/messages', messageBody('tari', 1));
    const m = await final(res.body.id);
    expect(m.status).toBe('delivered');
    const s = await getService(t.genio.database.db, t.service.service.id);
    expect(s!.key_in_use).toBe('secondary');
    expect(s!.flagged_reason).toMatch(/primary key refused/);
    const keysUsed = t.sim.requests().map((r) => r.headers['ocp-apim-subscription-key']);
    expect(keysUsed).toContain(t.service.secondaryKey);
    // Later messages go straight to the secondary key.
    const before = t.sim.requests().length;
    const again = await t.api('POST', '/api/v1/messages', messageBody('tari', 2));
    await final(again.body.id);
    const later = t.sim.requests().slice(before).map((r) => r.headers['ocp-apim-subscription-key']);
    expect(later.every((k) => k === t.service.secondaryKey)).toBe(true);
    const metrics = await (await fetch(`${t.genio.url}/metrics`)).text();
    expect(metrics).toMatch(/genio_io_key_switches_total 1/);
  });

  it('fails the message and flags the service when IO refuses both keys', async () => {
    const b = await buildService(t.genio.database.db, t.masterKey, t.sim, t.ente, { code: 'both' });
    t.sim.refuseKey(b.primaryKey);
    t.sim.refuseKey(b.secondaryKey);
    const res = await t.api('POST', '/api/v1/messages', messageBody('both', 3));
    const m = await final(res.body.id);
    expect(m.status).toBe('failed');
    expect(m.last_error).toMatch(/both keys/);
    const s = await getService(t.genio.database.db, b.service.id);
    expect(s!.flagged_reason).toMatch(/both IO keys refused/);
  });
});
