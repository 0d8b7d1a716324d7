/**
 * Cruscotto: the ente's own messages per status over 7 and 30 days (another ente's never counted),
 * batches still in progress, services whose IO key was flagged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebClient } from '../support/web-client.ts';
import { loginAs, ROSSI, startWebGenio, type WebGenio } from '../support/web.ts';
import { buildApiKey, buildEnte, buildService, messageBody } from '../support/factories.ts';
import { flagService } from '../../src/store/services.ts';

let t: WebGenio;
beforeAll(async () => {
  t = await startWebGenio();
  await t.grant(ROSSI, 'viewer');
}, 30_000);
afterAll(async () => t?.close());

/** The two counts of a status row: "7 days" and "30 days". */
function counts(html: string, label: string): [string, string] | null {
  const m = new RegExp(`>${label}</a></th><td class="text-end">([^<]*)</td><td class="text-end">([^<]*)</td>`).exec(html);
  return m ? [m[1], m[2]] : null;
}

describe('Cruscotto', () => {
  it('counts the ente’s messages by status over 7 and 30 days, and only its own', async () => {
    const db = t.genio.database.db;
    for (let i = 1; i <= 3; i++) expect((await t.api('POST', '/api/v1/messages', messageBody('tari', i))).status).toBe(202);
    const scheduled = new Date(Date.now() + 86_400_000).toISOString();
    expect((await t.api('POST', '/api/v1/messages', messageBody('tari', 4, { scheduled_at: scheduled }))).status).toBe(202);
    // An old message: in the 30 days, not in the 7.
    const old = await t.api('POST', '/api/v1/messages', messageBody('tari', 5, { scheduled_at: scheduled }));
    await db.updateTable('messages').set({ created_at: Date.now() - 10 * 86_400_000 }).where('id', '=', old.body.id).execute();
    // Another ente's messages must not show.
    const other = await buildEnte(db);
    const otherService = await (await buildService(db, t.masterKey, t.sim, other, { code: 'altro' })).service;
    const { key } = await buildApiKey(db, t.masterKey, other);
    for (let i = 6; i <= 8; i++) {
      await t.api('POST', '/api/v1/messages', messageBody(otherService.code, i, { scheduled_at: scheduled }), { authorization: `Bearer ${key}` });
    }
    await t.until(async () => (await db.selectFrom('messages').select('id').where('ente_id', '=', t.ente.id).where('status', '=', 'delivered').execute()).length === 3);

    const client = new WebClient();
    const { html } = await loginAs(client, t.base, ROSSI);
    expect(counts(html, 'Consegnato')).toEqual(['3', '3']);
    expect(counts(html, 'Programmato')).toEqual(['1', '2']);
    expect(html).toMatch(/data-testid="total-week">4</);
  });

  it('lists the batches still in progress, not the finished ones', async () => {
    const csv = 'codice_fiscale;oggetto;testo\n' + [1, 2].map((n) => {
      const m = messageBody('tari', 40 + n);
      return `${m.fiscal_code};${m.subject};${m.markdown}`;
    }).join('\n');
    const up = await t.upload('/api/v1/batches', { service: 'tari', check_only: 'true' }, { name: 'tari-novembre.csv', content: csv });
    expect(up.status).toBe(202);
    const ready = await t.until(async () => { const b = (await t.api('GET', `/api/v1/batches/${up.body.id}`)).body; return b.status !== 'checking' && b; });
    expect(ready.status, JSON.stringify(ready)).toBe('ready');
    const client = new WebClient();
    const { html } = await loginAs(client, t.base, ROSSI);
    expect(html).toContain('tari-novembre.csv');
    expect(html).toContain('Pronto da confermare');
    expect((await t.api('POST', `/api/v1/batches/${up.body.id}/cancel`)).status).toBe(200);
    const after = await (await client.fetch(`${t.base}/ente/${t.ente.fiscal_code}/`)).text();
    expect(after).not.toContain('tari-novembre.csv');
  });

  it('lists services with a flagged IO key', async () => {
    await flagService(t.genio.database.db, t.service.service.id, 'IO refused the primary key (403)');
    const client = new WebClient();
    const { html } = await loginAs(client, t.base, ROSSI);
    expect(html, html.slice(html.indexOf('titolo-servizi'))).toContain('IO refused the primary key (403)');
    expect(html).not.toContain('Nessuna segnalazione');
  });
});
