/**
 * `--role api` and `--role worker` on one PostgreSQL database: the API process accepts and never
 * sends; the worker process sends what the API process accepted, and its port answers only
 * health, readiness and metrics. (PostgreSQL only: SQLite is one process by design.)
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';
import { startGenio, type Genio } from '../../src/server.ts';
import { messageBody } from '../support/factories.ts';
import { POSTGRES_URL, startTestGenio, type TestGenio } from '../support/genio.ts';

(POSTGRES_URL ? describe : describe.skip)('process roles on one PostgreSQL database', () => {
  let api: TestGenio;
  let worker: Genio | undefined;

  beforeAll(async () => {
    api = await startTestGenio({ db: 'postgres', config: { role: 'api', workers: false } });
  }, 30_000);
  afterAll(async () => {
    await worker?.stop();
    await api?.close();
  });

  it('the API process accepts but does not send; a worker process sends it', async () => {
    const posted = await api.api('POST', '/api/v1/messages', messageBody('tari', 1));
    expect(posted.status).toBe(202);
    await new Promise((r) => setTimeout(r, 800));
    expect((await api.api('GET', `/api/v1/messages/${posted.body.id}`)).body.status).toBe('queued');

    const quiet = new Writable({ write(_c, _e, cb) { cb(); } });
    worker = await startGenio(
      loadConfig({}, { ...api.config, role: 'worker', workers: true, port: 0 }),
      { log: createLogger('warn', quiet), sandbox: null },
    );
    await api.until(async () => (await api.api('GET', `/api/v1/messages/${posted.body.id}`)).body.status === 'delivered');

    // The worker's port: operations only.
    expect((await fetch(`${worker.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${worker.url}/readyz`)).status).toBe(200);
    expect((await fetch(`${worker.url}/metrics`)).status).toBe(200);
    const refused = await fetch(`${worker.url}/api/v1/messages/${posted.body.id}`, { headers: { authorization: `Bearer ${api.apiKey}` } });
    expect(refused.status).toBe(404);
    expect((await fetch(`${worker.url}/`, { headers: { accept: 'text/html' } })).status).toBe(404);
  });
});
