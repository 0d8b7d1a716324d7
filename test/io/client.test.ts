/** The IO client against the simulator over real HTTP: what it makes of each kind of answer, and of no answer. */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createIoSimulator, type IoSimulator } from '../../src/io/simulator/index.ts';
import { createIoClient, type IoClient } from '../../src/io/client.ts';
import { CF_ACTIVE, CF_NOT_FOUND, MARKDOWN, SUBJECT, SVC_A } from './sim-fixtures.ts';

let sim: IoSimulator | undefined;
let client: IoClient | undefined;
afterEach(async () => {
  await client?.close();
  await sim?.close();
  sim = client = undefined;
});

async function start(opts: Parameters<typeof createIoSimulator>[0] = {}, timeoutMs = 5000): Promise<IoClient> {
  sim = createIoSimulator(opts);
  sim.addService(SVC_A);
  client = createIoClient(await sim.listen(), { timeoutMs, connections: 4 });
  return client;
}

describe('IO client', () => {
  it('returns the status and the parsed JSON body of each call', async () => {
    const io = await start();
    expect(await io.getProfile(SVC_A.primaryKey, CF_ACTIVE)).toEqual({ kind: 'response', status: 200, body: { sender_allowed: true, preferred_languages: expect.any(Array) }, retryAfterSeconds: null });
    const submitted = await io.submitMessage(SVC_A.primaryKey, { fiscal_code: CF_ACTIVE, content: { subject: SUBJECT, markdown: MARKDOWN } });
    expect(submitted).toMatchObject({ kind: 'response', status: 201, body: { id: expect.any(String) } });
    const id = (submitted as { body: { id: string } }).body.id;
    expect(await io.getMessage(SVC_A.primaryKey, CF_ACTIVE, id)).toMatchObject({ kind: 'response', status: 200, body: { status: 'ACCEPTED' } });
    sim!.setCitizen(CF_NOT_FOUND, 'not_found');
    expect(await io.getProfile(SVC_A.primaryKey, CF_NOT_FOUND)).toMatchObject({ kind: 'response', status: 404 });
    expect(await io.getProfile('not-a-key', CF_ACTIVE)).toMatchObject({ kind: 'response', status: 401 });
  });

  it('reads the wait out of a 429 (x-rate-limit-retry-after)', async () => {
    const io = await start({ rateLimit: { calls: 1, windowMs: 7000 } });
    expect(await io.getProfile(SVC_A.primaryKey, CF_ACTIVE)).toMatchObject({ status: 200, retryAfterSeconds: null });
    const limited = await io.getProfile(SVC_A.primaryKey, CF_ACTIVE);
    expect(limited).toMatchObject({ kind: 'response', status: 429 });
    expect((limited as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThanOrEqual(6);
    expect((limited as { retryAfterSeconds: number }).retryAfterSeconds).toBeLessThanOrEqual(7);
  });

  it('says time-out when the request went out and no answer came, network error when nothing could be sent', async () => {
    const io = await start({ timeoutRate: 1 }, 300);
    expect(await io.getProfile(SVC_A.primaryKey, CF_ACTIVE)).toEqual({ kind: 'timeout' });

    // A port nobody listens on.
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as net.AddressInfo;
    await new Promise((r) => server.close(r));
    const closed = createIoClient(`http://127.0.0.1:${port}`, { timeoutMs: 1000, connections: 1 });
    expect(await closed.getProfile(SVC_A.primaryKey, CF_ACTIVE)).toEqual({ kind: 'network', message: 'ECONNREFUSED' });
    await closed.close();
  });
});
