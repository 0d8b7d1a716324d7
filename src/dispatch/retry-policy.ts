/**
 * When to try again: exponential back-off with jitter, bounded by a number of attempts and an age.
 * Pure: the caller passes the random source and the time.
 */
export interface RetryLimits {
  maxAttempts: number;
  maxAgeMs: number;
  baseMs?: number;
  capMs?: number;
}

export type RetryDecision = { retry: true; delayMs: number } | { retry: false; reason: string };

/** Equal jitter: half the exponential delay, plus a random part up to the other half. */
export function backoffMs(attempt: number, random: () => number, baseMs = 1000, capMs = 300_000): number {
  const exp = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp / 2 + random() * (exp / 2));
}

export function decideRetry(
  input: { attempts: number; createdAt: number; now: number; reason: string; countsAsAttempt: boolean },
  limits: RetryLimits,
  random: () => number = Math.random,
): RetryDecision {
  const age = input.now - input.createdAt;
  if (age >= limits.maxAgeMs) return { retry: false, reason: `${input.reason}; gave up after ${Math.round(age / 60_000)} minutes of retries` };
  if (input.countsAsAttempt && input.attempts >= limits.maxAttempts) return { retry: false, reason: `${input.reason}; gave up after ${input.attempts} attempts` };
  return { retry: true, delayMs: input.countsAsAttempt ? backoffMs(input.attempts, random, limits.baseMs, limits.capMs) : 0 };
}
