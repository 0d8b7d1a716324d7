import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseBudget, parseDuration } from '../src/config.ts';

const KEY = '0123456789abcdef'.repeat(4); // 64 hex characters

/** Runs loadConfig and returns its ConfigError message (fails the test when it does not throw one). */
function configError(env: Record<string, string | undefined>): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig defaults', () => {
  it('an empty environment gives the documented defaults', () => {
    // toMatchObject: other fields may be added; these must keep their values.
    expect(loadConfig({})).toMatchObject({
      port: 3000,
      host: '0.0.0.0',
      databaseUrl: './data/genio.sqlite',
      ioBaseUrl: 'https://api.io.pagopa.it',
      masterKey: null,
      ioBudget: { calls: 150, windowMs: 5000 }, // FACTS.md §7: 150 calls in any 5 s
      ioBudgetMarginMs: 250,
      ioTimeoutMs: 10_000,
      ioConcurrency: 256,
      profileCacheMs: 3_600_000,
      retryMaxAttempts: 12,
      retryMaxAgeMs: 24 * 3_600_000,
      retryBaseMs: 1000,
      pollFirstDelayMs: 5000,
      pollMaxAgeMs: 14 * 86_400_000,
      leaseMs: 60_000,
      bodyLimitBytes: 256 * 1024,
      logLevel: 'info',
      sandbox: true,
      workers: true,
    });
  });

  it('blank values fall back to the defaults', () => {
    const c = loadConfig({ GENIO_PORT: '', GENIO_IO_TIMEOUT: '  ', GENIO_SANDBOX: '', GENIO_IO_BUDGET: '', GENIO_MASTER_KEY: '  ' });
    expect(c).toMatchObject({ port: 3000, ioTimeoutMs: 10_000, sandbox: true, ioBudget: { calls: 150, windowMs: 5000 }, masterKey: null });
  });

  it('reads each variable', () => {
    const c = loadConfig({
      GENIO_PORT: '8080',
      GENIO_HOST: '127.0.0.1',
      GENIO_DATABASE_URL: 'postgres://genio@db/genio',
      GENIO_IO_BASE_URL: 'http://localhost:4010/',
      GENIO_MASTER_KEY: KEY,
      GENIO_IO_BUDGET: '250/5s',
      GENIO_IO_BUDGET_MARGIN: '0',
      GENIO_IO_TIMEOUT: '2s',
      GENIO_IO_CONCURRENCY: '8',
      GENIO_PROFILE_CACHE: '10m',
      GENIO_RETRY_MAX_ATTEMPTS: '3',
      GENIO_RETRY_MAX_AGE: '2h',
      GENIO_RETRY_BASE: '500ms',
      GENIO_POLL_FIRST_DELAY: '1.5s',
      GENIO_POLL_MAX_AGE: '7d',
      GENIO_LEASE: '30s',
      GENIO_BODY_LIMIT: '2048',
      GENIO_LOG_LEVEL: 'debug',
      GENIO_SANDBOX: 'off',
      GENIO_WORKERS: 'no',
    });
    expect(c).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      databaseUrl: 'postgres://genio@db/genio',
      ioBaseUrl: 'http://localhost:4010', // trailing slash dropped
      ioBudget: { calls: 250, windowMs: 5000 },
      ioBudgetMarginMs: 0,
      ioTimeoutMs: 2000,
      ioConcurrency: 8,
      profileCacheMs: 600_000,
      retryMaxAttempts: 3,
      retryMaxAgeMs: 7_200_000,
      retryBaseMs: 500,
      pollFirstDelayMs: 1500,
      pollMaxAgeMs: 7 * 86_400_000,
      leaseMs: 30_000,
      bodyLimitBytes: 2048,
      logLevel: 'debug',
      sandbox: false,
      workers: false,
    });
    expect(c.masterKey).toEqual(Buffer.from(KEY, 'hex'));
  });

  it('GENIO_IO_BUDGET=off means no budget', () => {
    expect(loadConfig({ GENIO_IO_BUDGET: 'off' }).ioBudget).toBeNull();
  });

  it('overrides win over the environment', () => {
    expect(loadConfig({ GENIO_PORT: '8080' }, { port: 0, workers: false })).toMatchObject({ port: 0, workers: false });
  });

  it.each([
    ['1', true],
    ['true', true],
    ['ON', true],
    ['yes', true],
    ['0', false],
    ['false', false],
    ['Off', false],
    ['no', false],
  ])('GENIO_WORKERS=%s → %s', (raw, expected) => {
    expect(loadConfig({ GENIO_WORKERS: raw }).workers).toBe(expected);
  });
});

describe('parseDuration', () => {
  it.each<[string, number | null]>([
    ['250ms', 250],
    ['5s', 5000],
    ['1.5s', 1500],
    ['10m', 600_000],
    ['2h', 7_200_000],
    ['14d', 1_209_600_000],
    ['1500', 1500],
    ['0', 0],
    [' 5 s ', 5000],
    ['0.5ms', 1],
    ['', null],
    ['  ', null],
    ['s', null],
    ['5x', null],
    ['5sec', null],
    ['5 minutes', null],
    ['-5s', null],
    ['5s5', null],
    ['1e3', null],
    ['ten', null],
  ])('%j → %s', (raw, expected) => {
    expect(parseDuration(raw)).toBe(expected);
  });
});

describe('parseBudget', () => {
  it.each<[string, { calls: number; windowMs: number } | null | undefined]>([
    ['150/5s', { calls: 150, windowMs: 5000 }],
    ['250/5s', { calls: 250, windowMs: 5000 }],
    [' 150 / 5s ', { calls: 150, windowMs: 5000 }],
    ['150/5000', { calls: 150, windowMs: 5000 }],
    ['10/1m', { calls: 10, windowMs: 60_000 }],
    ['off', null],
    [' off ', null],
    ['150', undefined],
    ['150/', undefined],
    ['/5s', undefined],
    ['0/5s', undefined],
    ['150/0s', undefined],
    ['150/abc', undefined],
    ['1.5/5s', undefined],
    ['-1/5s', undefined],
    ['lots', undefined],
    ['', undefined],
  ])('%j → %j', (raw, expected) => {
    expect(parseBudget(raw)).toEqual(expected);
  });
});

describe('invalid configuration', () => {
  it('reports every invalid variable at once, in one ConfigError', () => {
    const bad = {
      GENIO_PORT: 'eighty',
      GENIO_IO_BASE_URL: 'ftp://io.example',
      GENIO_MASTER_KEY: 'not-a-key',
      GENIO_IO_BUDGET: 'lots',
      GENIO_IO_BUDGET_MARGIN: 'a bit',
      GENIO_IO_TIMEOUT: '10 seconds',
      GENIO_IO_CONCURRENCY: '0',
      GENIO_RETRY_MAX_ATTEMPTS: '1.5',
      GENIO_POLL_MAX_AGE: 'forever',
      GENIO_BODY_LIMIT: '10',
      GENIO_SANDBOX: 'maybe',
      GENIO_WORKERS: 'sometimes',
      GENIO_ROLE: 'both',
    };
    const message = configError(bad);
    for (const name of Object.keys(bad)) expect(message, `${name} missing from:\n${message}`).toContain(name);
    expect(message.split('\n').filter((l) => l.trim().startsWith('- '))).toHaveLength(Object.keys(bad).length);
  });

  it('quotes the offending value so the operator can find it', () => {
    expect(configError({ GENIO_IO_TIMEOUT: '10 seconds' })).toContain('"10 seconds"');
    expect(configError({ GENIO_PORT: 'eighty' })).toContain('"eighty"');
  });

  it.each([
    ['63 hex characters', KEY.slice(1)],
    ['65 hex characters', KEY + 'a'],
    ['a non-hex character', 'g' + KEY.slice(1)],
    ['0x prefix', '0x' + KEY.slice(2)],
    ['base64 of 32 bytes', Buffer.alloc(32, 7).toString('base64')],
  ])('GENIO_MASTER_KEY with %s is refused', (_name, key) => {
    const message = configError({ GENIO_MASTER_KEY: key });
    expect(message).toContain('GENIO_MASTER_KEY');
    expect(message).toMatch(/64 hex/);
    // The key itself never appears in the error (it may end up in logs).
    expect(message).not.toContain(key);
  });

  it('GENIO_MASTER_KEY: 64 hex characters, either case, make a 32-byte key', () => {
    expect(loadConfig({ GENIO_MASTER_KEY: KEY }).masterKey).toHaveLength(32);
    expect(loadConfig({ GENIO_MASTER_KEY: KEY.toUpperCase() }).masterKey).toEqual(Buffer.from(KEY, 'hex'));
    expect(loadConfig({ GENIO_MASTER_KEY: ` ${KEY}\n` }).masterKey).toEqual(Buffer.from(KEY, 'hex'));
  });
});

describe('GENIO_ROLE', () => {
  it.each([
    [undefined, 'all', true],
    ['all', 'all', true],
    ['api', 'api', false],
    ['worker', 'worker', true],
  ])('%s → role %s, workers %s', (raw, role, workers) => {
    const c = loadConfig(raw === undefined ? {} : { GENIO_ROLE: raw });
    expect(c.role).toBe(role);
    expect(c.workers).toBe(workers);
  });
  it('GENIO_WORKERS=off still turns the workers off in role all', () => {
    expect(loadConfig({ GENIO_WORKERS: 'off' }).workers).toBe(false);
  });
});
