/**
 * Chiavi API over HTTP: a key is shown once (never on the list, never stored in clear) and works
 * against the API; revocation stops it at once; the callback URL, its secret shown once and its
 * rotation; form errors next to the fields; another ente's key answers 404 and cannot be revoked;
 * senders get 403; CSRF.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApiKey, buildEnte } from '../support/factories.ts';
import { BIANCHI, csrfOf, loginAs, ROSSI, startWebGenio, type WebGenio } from '../support/web.ts';
import { WebClient } from '../support/web-client.ts';
import { decryptSecret, sha256Hex } from '../../src/store/secrets.ts';
import { signCallback } from '../../src/dispatch/callbacks.ts';
import type { Ente } from '../../src/store/enti.ts';

let t: WebGenio;
let manager: WebClient;
let other: Ente;
let otherKey: { key: string; id: string };

beforeAll(async () => {
  t = await startWebGenio();
  other = await buildEnte(t.genio.database.db, { name: 'Comune di Altrove' });
  otherKey = await buildApiKey(t.genio.database.db, t.masterKey, other);
  await t.grant(ROSSI, 'manager');
  await t.grant(BIANCHI, 'sender');
  manager = new WebClient();
  await loginAs(manager, t.base, ROSSI);
});

afterAll(async () => t?.close());

const url = (rest: string) => `${t.base}/ente/${t.ente.fiscal_code}${rest}`;

async function listPage(client = manager): Promise<{ html: string; csrf: string }> {
  const res = await client.fetch(url('/chiavi'));
  expect(res.status).toBe(200);
  const html = await res.text();
  return { html, csrf: csrfOf(html) };
}

const keyRow = (id: string) => t.genio.database.db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const keyCount = async () => (await t.genio.database.db.selectFrom('api_keys').select('id').execute()).length;
const idOf = (html: string) => /\/chiavi\/([0-9A-Z]{26})"/.exec(html)![1];
const shown = (html: string, testId: string) => new RegExp(`data-testid="${testId}">([^<]+)<`).exec(html)?.[1];
const errorText = (html: string, id: string) => (new RegExp(`id="${id}-errore">([\\s\\S]*?)</div></div>`).exec(html)?.[1] ?? '').replace(/<[^>]+>/g, ' ').replace(/&#39;/g, "'").replace(/\s+/g, ' ').trim();
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

describe('Chiavi API', () => {
  it('creates a key shown once, with no-store, that works against the API; the list and the database never hold it', async () => {
    const { html: before, csrf } = await listPage();
    expect(before).toContain('<h1 class="h2 mb-4">Chiavi API</h1>');
    expect(before).toContain('id="servizio-tari"');
    const res = await manager.post(url('/chiavi'), { _csrf: csrf, services: 'tari' });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const html = await res.text();
    const key = shown(html, 'nuova-chiave')!;
    expect(key).toMatch(/^genio_[A-Za-z0-9]{8}_[A-Za-z0-9_-]{32}$/);
    expect(html).toContain('data-copy="chiave-api"');
    expect(html).toContain('Copia ora la chiave: non sarà più mostrata.');
    expect(html).not.toContain('data-testid="segreto-notifiche"');

    const id = idOf(html);
    const row = await keyRow(id);
    expect(row.key_hash).toBe(sha256Hex(key));
    // The secret part may itself hold '_' (base64url): it is what follows the visible prefix.
    expect(key.startsWith(`${row.prefix}_`)).toBe(true);
    expect(JSON.stringify(row)).not.toContain(key.slice(row.prefix.length + 1));
    expect(row.ente_id).toBe(t.ente.id);
    expect(row.service_ids).toBe(JSON.stringify([t.service.service.id]));

    const list = (await listPage()).html;
    expect(list).toContain(row.prefix);
    expect(list).not.toContain(key);
    const detail = await (await manager.fetch(url(`/chiavi/${id}`))).text();
    expect(detail).not.toContain(key);

    const api = await t.api('GET', '/api/v1/templates', undefined, bearer(key));
    expect(api.status).toBe(200);
  });

  it('a sandbox key with a callback URL: the secret is shown once, stored encrypted, and signs as explained', async () => {
    const { csrf } = await listPage();
    const res = await manager.post(url('/chiavi'), { _csrf: csrf, sandbox: 'on', callback_url: '  https://gestionale.example/genio  ' });
    expect(res.status).toBe(200);
    const html = await res.text();
    const key = shown(html, 'nuova-chiave')!;
    expect(key).toMatch(/^genio_test_/);
    const secret = shown(html, 'segreto-notifiche')!;
    expect(secret).toMatch(/^whsec_/);
    expect(html).toContain('GeNIO-Signature: t=&lt;secondi Unix&gt;,v1=&lt;firma&gt;');
    const row = await keyRow(idOf(html));
    expect(row.sandbox).toBe(1);
    expect(row.service_ids).toBeNull();
    expect(row.callback_url).toBe('https://gestionale.example/genio');
    expect(row.callback_secret_enc).not.toContain(secret);
    expect(decryptSecret(t.masterKey, row.callback_secret_enc!)).toBe(secret);
    // The scheme the page explains is the one the dispatcher uses.
    expect(signCallback(secret, '{}', 1)).toMatch(/^t=1,v1=[0-9a-f]{64}$/);

    const list = (await listPage()).html;
    expect(list).toContain('https://gestionale.example/genio');
    expect(list).not.toContain(secret);
    expect(list).toMatch(/badge bg-warning">prova</);
  });

  it('bad input comes back next to the fields with the values kept, and creates nothing', async () => {
    const { csrf } = await listPage();
    const n = await keyCount();
    for (const [value, text] of [
      ['ftp://gestionale.example/x', 'deve iniziare con https://'],
      ['https://utente:segreta@gestionale.example/x', 'non può contenere nome utente e password'],
      ['non è un indirizzo', 'Indirizzo non valido'],
    ]) {
      const res = await manager.post(url('/chiavi'), { _csrf: csrf, sandbox: 'on', services: 'tari', callback_url: value });
      expect(res.status).toBe(400);
      const html = await res.text();
      expect(errorText(html, 'callback-url')).toContain(text);
      expect(html).toContain('class="form-control is-invalid" id="callback-url"');
      expect(html).toContain('aria-describedby="callback-url-aiuto callback-url-errore"');
      expect(html).toContain(`value="${value.replace(/&/g, '&amp;')}"`);
      expect(html).toMatch(/id="sandbox" type="checkbox" name="sandbox" checked/);
      expect(html).toMatch(/id="servizio-tari" type="checkbox" name="services" value="tari" checked/);
      expect(html).toContain('La chiave non è stata creata');
    }
    const res = await manager.post(url('/chiavi'), { _csrf: csrf, services: 'inesistente' });
    expect(res.status).toBe(400);
    expect(errorText(await res.text(), 'servizi')).toContain('Scegli tra i servizi dell\'ente.');
    expect(await keyCount()).toBe(n);
  });

  it('revokes after confirmation; the API refuses the key at once', async () => {
    const { csrf } = await listPage();
    const created = await (await manager.post(url('/chiavi'), { _csrf: csrf })).text();
    const key = shown(created, 'nuova-chiave')!;
    const id = idOf(created);
    expect((await t.api('GET', '/api/v1/templates', undefined, bearer(key))).status).toBe(200); // now in the key cache

    const unconfirmed = await manager.post(url(`/chiavi/${id}/revoca`), { _csrf: csrf });
    expect(unconfirmed.status).toBe(400);
    expect(errorText(await unconfirmed.text(), 'conferma-revoca')).toBe('Spunta la casella per confermare la revoca.');
    expect((await keyRow(id)).revoked_at).toBeNull();

    const res = await manager.post(url(`/chiavi/${id}/revoca`), { _csrf: csrf, conferma: 'on' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/ente/${t.ente.fiscal_code}/chiavi?revocata=${id}`);
    expect((await keyRow(id)).revoked_at).not.toBeNull();
    const api = await t.api('GET', '/api/v1/templates', undefined, bearer(key));
    expect(api.status).toBe(401);

    const list = await (await manager.fetch(new URL(res.headers.get('location')!, t.base))).text();
    expect(list).toContain('è stata revocata');
    const revoked = list.slice(list.indexOf('data-testid="chiavi-revocate"'));
    expect(revoked).toContain(`/chiavi/${id}"`);
    const live = list.slice(list.indexOf('data-testid="chiavi-attive"'), list.indexOf('data-testid="chiavi-revocate"'));
    expect(live).not.toContain(`/chiavi/${id}"`);
    const detail = await (await manager.fetch(url(`/chiavi/${id}`))).text();
    expect(detail).toContain('revocata il');
    expect(detail).not.toContain('Revoca la chiave');
  });

  it('sets a callback URL (secret shown once), changes it (same secret), rotates the secret, removes it', async () => {
    const { csrf } = await listPage();
    const id = idOf(await (await manager.post(url('/chiavi'), { _csrf: csrf })).text());

    const set = await manager.post(url(`/chiavi/${id}/callback`), { _csrf: csrf, callback_url: 'https://a.example/cb' });
    expect(set.status).toBe(200);
    expect(set.headers.get('cache-control')).toBe('no-store');
    const first = shown(await set.text(), 'segreto-notifiche')!;
    expect(decryptSecret(t.masterKey, (await keyRow(id)).callback_secret_enc!)).toBe(first);

    const bad = await manager.post(url(`/chiavi/${id}/callback`), { _csrf: csrf, callback_url: 'ftp://a.example/cb' });
    expect(bad.status).toBe(400);
    const badHtml = await bad.text();
    expect(errorText(badHtml, 'callback-url')).toContain('https://');
    expect(badHtml).toContain('value="ftp://a.example/cb"');

    const changed = await manager.post(url(`/chiavi/${id}/callback`), { _csrf: csrf, callback_url: 'https://b.example/cb' });
    expect(changed.status).toBe(303);
    const row = await keyRow(id);
    expect(row.callback_url).toBe('https://b.example/cb');
    expect(decryptSecret(t.masterKey, row.callback_secret_enc!)).toBe(first);
    expect(await (await manager.follow(changed, url(`/chiavi/${id}/callback`))).res.text()).toContain('il segreto di firma resta lo stesso');

    expect((await manager.post(url(`/chiavi/${id}/segreto`), { _csrf: csrf })).status).toBe(400);
    const rotated = await manager.post(url(`/chiavi/${id}/segreto`), { _csrf: csrf, conferma: 'on' });
    expect(rotated.status).toBe(200);
    const second = shown(await rotated.text(), 'segreto-notifiche')!;
    expect(second).not.toBe(first);
    expect(decryptSecret(t.masterKey, (await keyRow(id)).callback_secret_enc!)).toBe(second);

    const removed = await manager.post(url(`/chiavi/${id}/callback`), { _csrf: csrf, callback_url: '' });
    expect(removed.status).toBe(303);
    expect(await keyRow(id)).toMatchObject({ callback_url: null, callback_secret_enc: null });
  });

  it('another ente’s key answers 404 and cannot be revoked or changed', async () => {
    const { csrf } = await listPage();
    expect((await manager.fetch(url(`/chiavi/${otherKey.id}`))).status).toBe(404);
    expect((await manager.post(url(`/chiavi/${otherKey.id}/revoca`), { _csrf: csrf, conferma: 'on' })).status).toBe(404);
    expect((await manager.post(url(`/chiavi/${otherKey.id}/callback`), { _csrf: csrf, callback_url: 'https://evil.example/' })).status).toBe(404);
    expect((await manager.post(url(`/chiavi/${otherKey.id}/segreto`), { _csrf: csrf, conferma: 'on' })).status).toBe(404);
    expect(await keyRow(otherKey.id)).toMatchObject({ revoked_at: null, callback_url: null });
    expect((await t.api('GET', '/api/v1/templates', undefined, bearer(otherKey.key))).status).toBe(200);
    expect((await listPage()).html).not.toContain(otherKey.id);
    // Nor through the other ente's URL, where this manager has no role.
    expect((await manager.fetch(`${t.base}/ente/${other.fiscal_code}/chiavi/${otherKey.id}`)).status).toBe(404);
  });

  it('a sender gets 403 on the page and on every action', async () => {
    const sender = new WebClient();
    const { html } = await loginAs(sender, t.base, BIANCHI);
    expect(html).not.toContain('Chiavi API</span>');
    const csrf = csrfOf(html);
    const n = await keyCount();
    expect((await sender.fetch(url('/chiavi'))).status).toBe(403);
    expect((await sender.post(url('/chiavi'), { _csrf: csrf })).status).toBe(403);
    expect((await sender.fetch(url(`/chiavi/${otherKey.id}`))).status).toBe(403);
    const [own] = await t.genio.database.db.selectFrom('api_keys').select('id').where('ente_id', '=', t.ente.id).where('revoked_at', 'is', null).execute();
    expect((await sender.post(url(`/chiavi/${own.id}/revoca`), { _csrf: csrf, conferma: 'on' })).status).toBe(403);
    expect((await keyRow(own.id)).revoked_at).toBeNull();
    expect(await keyCount()).toBe(n);
  });

  it('refuses a form without the CSRF token, and creates or revokes nothing', async () => {
    const n = await keyCount();
    const res = await manager.post(url('/chiavi'), { services: 'tari' });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('Il modulo è scaduto o non è valido');
    expect(await keyCount()).toBe(n);
    const [own] = await t.genio.database.db.selectFrom('api_keys').select('id').where('ente_id', '=', t.ente.id).where('revoked_at', 'is', null).execute();
    expect((await manager.post(url(`/chiavi/${own.id}/revoca`), { _csrf: 'sbagliato', conferma: 'on' })).status).toBe(403);
    expect((await keyRow(own.id)).revoked_at).toBeNull();
  });
});
