import { describe, expect, it } from 'vitest';
import { backoffMs, decideRetry, type RetryLimits } from '../../src/dispatch/retry-policy.ts';

const always = (x: number) => () => x;

describe('backoffMs: exponential with equal jitter', () => {
  it.each([
    // attempt, exponential delay with base 1 s
    [1, 1000],
    [2, 2000],
    [3, 4000],
    [4, 8000],
    [5, 16_000],
    [8, 128_000],
  ])('attempt %i: between exp/2 (random 0) and exp (random 1), exp = %i ms', (attempt, exp) => {
    expect(backoffMs(attempt, always(0))).toBe(exp / 2);
    expect(backoffMs(attempt, always(1))).toBe(exp);
    expect(backoffMs(attempt, always(0.5))).toBe(exp * 0.75);
  });

  it('grows exponentially: each attempt doubles both bounds', () => {
    for (let attempt = 1; attempt < 8; attempt++) {
      expect(backoffMs(attempt + 1, always(0))).toBe(2 * backoffMs(attempt, always(0)));
      expect(backoffMs(attempt + 1, always(1))).toBe(2 * backoffMs(attempt, always(1)));
    }
  });

  it('any random draw lands within the bounds', () => {
    for (let attempt = 1; attempt <= 12; attempt++) {
      const exp = Math.min(300_000, 1000 * 2 ** (attempt - 1));
      for (let i = 0; i < 200; i++) {
        const d = backoffMs(attempt, Math.random);
        expect(d).toBeGreaterThanOrEqual(exp / 2);
        expect(d).toBeLessThanOrEqual(exp);
      }
    }
  });

  it('uses the given base', () => {
    expect(backoffMs(1, always(1), 250)).toBe(250);
    expect(backoffMs(3, always(0), 250)).toBe(500);
  });

  it('is capped (default 5 minutes), even for absurd attempt numbers', () => {
    expect(backoffMs(10, always(1))).toBe(300_000); // 1000 · 2^9 = 512 000 > cap
    expect(backoffMs(10, always(0))).toBe(150_000);
    for (const attempt of [20, 100, 2000]) {
      expect(backoffMs(attempt, always(1))).toBe(300_000);
      expect(backoffMs(attempt, always(0))).toBe(150_000);
    }
    expect(backoffMs(30, always(1), 1000, 60_000)).toBe(60_000);
  });

  it('attempt 0 or below counts as the first', () => {
    expect(backoffMs(0, always(1))).toBe(1000);
    expect(backoffMs(-3, always(1))).toBe(1000);
  });
});

describe('decideRetry', () => {
  const limits: RetryLimits = { maxAttempts: 12, maxAgeMs: 24 * 3_600_000, baseMs: 1000 };
  const base = { createdAt: 1_000_000, now: 1_000_000 + 60_000, reason: 'IO answered 503: Service Unavailable', countsAsAttempt: true };

  it('retries with the back-off of the attempt count while under both limits', () => {
    expect(decideRetry({ ...base, attempts: 1 }, limits, always(0))).toEqual({ retry: true, delayMs: 500 });
    expect(decideRetry({ ...base, attempts: 3 }, limits, always(1))).toEqual({ retry: true, delayMs: 4000 });
    expect(decideRetry({ ...base, attempts: 11 }, limits, always(1))).toEqual({ retry: true, delayMs: 300_000 });
  });

  it('passes baseMs and capMs through', () => {
    expect(decideRetry({ ...base, attempts: 2 }, { ...limits, baseMs: 100 }, always(1))).toEqual({ retry: true, delayMs: 200 });
    expect(decideRetry({ ...base, attempts: 9 }, { ...limits, capMs: 10_000 }, always(1))).toEqual({ retry: true, delayMs: 10_000 });
  });

  it('gives up at maxAttempts, saying so and keeping the cause', () => {
    for (const attempts of [12, 13, 50]) {
      const d = decideRetry({ ...base, attempts }, limits, always(0));
      expect(d.retry).toBe(false);
      if (d.retry) continue;
      expect(d.reason).toContain('IO answered 503: Service Unavailable');
      expect(d.reason).toMatch(new RegExp(`gave up after ${attempts} attempts`));
    }
  });

  it('gives up on age, saying so in minutes, even with attempts left', () => {
    const d = decideRetry({ ...base, attempts: 1, now: base.createdAt + limits.maxAgeMs }, limits, always(0));
    expect(d).toEqual({ retry: false, reason: 'IO answered 503: Service Unavailable; gave up after 1440 minutes of retries' });
    expect(decideRetry({ ...base, attempts: 1, now: base.createdAt + limits.maxAgeMs - 1 }, limits).retry).toBe(true);
  });

  it('countsAsAttempt: false ignores the attempt limit and asks for no delay', () => {
    for (const attempts of [0, 11, 12, 1000]) {
      expect(decideRetry({ ...base, attempts, countsAsAttempt: false }, limits, always(1))).toEqual({ retry: true, delayMs: 0 });
    }
  });

  it('countsAsAttempt: false still gives up on age', () => {
    const d = decideRetry({ ...base, attempts: 0, countsAsAttempt: false, now: base.createdAt + 2 * limits.maxAgeMs }, limits);
    expect(d.retry).toBe(false);
    if (!d.retry) expect(d.reason).toMatch(/gave up after 2880 minutes/);
  });
});
