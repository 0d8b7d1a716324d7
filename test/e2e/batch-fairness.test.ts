/**
 * Batch rows share the dispatcher with single messages: while a large batch of ente A drains
 * through a small budget, a single message of ente A and one of ente B (same IO account) still go
 * to IO within a couple of seconds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGenio, type TestGenio } from '../support/genio.ts';
import { buildApiKey, buildEnte, buildService, messageBody, validFiscalCode } from '../support/factories.ts';

const TEXT = "Gentile contribuente, è disponibile l'avviso di pagamento della TARI 2026. Può pagarlo con pagoPA dall'app IO.";

describe('batch fairness', () => {
  let t: TestGenio;
  let keyB: string;
  beforeAll(async () => {
    // 30 calls a second: a 600-row batch needs about a minute (profile, submit, poll each).
    t = await startTestGenio({ sim: { rateLimit: null }, config: { ioBudget: { calls: 30, windowMs: 1000 } } });
    const enteB = await buildEnte(t.genio.database.db);
    await buildService(t.genio.database.db, t.masterKey, t.sim, enteB, { code: 'mensa' });
    keyB = (await buildApiKey(t.genio.database.db, t.masterKey, enteB)).key;
  });
  afterAll(async () => t?.close());

  it("neither the same ente's single messages nor another ente's wait behind a batch", async () => {
    const lines = ['codice_fiscale;oggetto;testo'];
    for (let i = 0; i < 600; i++) lines.push(`${validFiscalCode(9000 + i)};Avviso TARI 2026 n. ${i + 1};${TEXT}`);
    const up = await t.upload('/api/v1/batches', { service: 'tari' }, { name: 'tari.csv', content: lines.join('\r\n') });
    expect(up.status).toBe(202);
    const submitted = () => t.sim.requests().filter((r) => r.operation === 'submitMessage').length;
    await t.until(() => submitted() > 20, 20_000); // the batch is flowing

    const latencies: number[] = [];
    for (let k = 0; k < 3; k++) {
      const sentAt = Date.now();
      const cfA = validFiscalCode(9900 + k);
      const cfB = validFiscalCode(9950 + k);
      expect((await t.api('POST', '/api/v1/messages', messageBody('tari', 9900 + k))).status).toBe(202);
      expect((await t.api('POST', '/api/v1/messages', messageBody('mensa', 9950 + k), { authorization: `Bearer ${keyB}` })).status).toBe(202);
      for (const cf of [cfA, cfB]) {
        const submit = await t.until(() => t.sim.requests().find((r) => r.operation === 'submitMessage' && (r.body as any)?.fiscal_code === cf), 10_000);
        latencies.push(submit.at - sentAt);
      }
    }
    const batch = (await t.api('GET', `/api/v1/batches/${up.body.id}`)).body;
    expect(batch.status).toBe('sending'); // still draining: the single messages did not wait for it
    console.log(`single messages during a batch: accept → submit ${latencies.join(', ')} ms`);
    expect(Math.max(...latencies)).toBeLessThan(3000);
    expect(t.sim.stats().byStatus['429'] ?? 0).toBe(0);
  }, 60_000);
});
