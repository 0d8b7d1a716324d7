/**
 * Simulator options with their defaults. The default rate limit is IO's default APIM group:
 * 150 calls / 5 s sliding, per account (FACTS.md §7).
 */
import type { CitizenState, SimulatorOptions } from './types.ts';

export interface ResolvedOptions {
  rateLimit: { calls: number; windowMs: number } | null;
  processingDelayMs: number;
  latencyMs: number;
  errorRate: number;
  timeoutRate: number;
  failRate: number;
  autoProvision: boolean;
  defaultCitizen: CitizenState;
  recordRequests: boolean;
  maxRecordedRequests: number;
  random: () => number;
}

export const DEFAULT_RATE_LIMIT = { calls: 150, windowMs: 5000 } as const;

export const DEFAULTS: ResolvedOptions = {
  rateLimit: { ...DEFAULT_RATE_LIMIT },
  processingDelayMs: 1000,
  latencyMs: 0,
  errorRate: 0,
  timeoutRate: 0,
  failRate: 0,
  autoProvision: false,
  defaultCitizen: 'active',
  recordRequests: true,
  maxRecordedRequests: 200_000,
  random: Math.random,
};

/** Window length used to measure `maxInAnyWindow` even when the limit is off. */
export function meteringWindowMs(o: ResolvedOptions): number {
  return o.rateLimit?.windowMs ?? DEFAULT_RATE_LIMIT.windowMs;
}

/** Returns `base` with `patch` applied; throws on values that make no sense (control API → 400). */
export function applyOptions(base: ResolvedOptions, patch: Partial<SimulatorOptions>): ResolvedOptions {
  const next: ResolvedOptions = { ...base };
  if (patch.rateLimit !== undefined) {
    const rl = patch.rateLimit;
    if (rl !== null && !(isInt(rl?.calls, 0) && isInt(rl?.windowMs, 1))) throw new Error('rateLimit must be null or {calls: integer >= 0, windowMs: integer >= 1}');
    next.rateLimit = rl === null ? null : { calls: rl.calls, windowMs: rl.windowMs };
  }
  for (const key of ['processingDelayMs', 'latencyMs'] as const) {
    const v = patch[key];
    if (v !== undefined) {
      if (!(typeof v === 'number' && Number.isFinite(v) && v >= 0)) throw new Error(`${key} must be a number >= 0`);
      next[key] = v;
    }
  }
  for (const key of ['errorRate', 'timeoutRate', 'failRate'] as const) {
    const v = patch[key];
    if (v !== undefined) {
      if (!(typeof v === 'number' && v >= 0 && v <= 1)) throw new Error(`${key} must be a number in [0, 1]`);
      next[key] = v;
    }
  }
  for (const key of ['autoProvision', 'recordRequests'] as const) {
    const v = patch[key];
    if (v !== undefined) {
      if (typeof v !== 'boolean') throw new Error(`${key} must be a boolean`);
      next[key] = v;
    }
  }
  if (patch.maxRecordedRequests !== undefined) {
    if (!isInt(patch.maxRecordedRequests, 0)) throw new Error('maxRecordedRequests must be an integer >= 0');
    next.maxRecordedRequests = patch.maxRecordedRequests;
  }
  if (patch.defaultCitizen !== undefined) {
    if (!['active', 'not_found', 'inbox_disabled', 'blocked'].includes(patch.defaultCitizen)) throw new Error('defaultCitizen must be a CitizenState');
    next.defaultCitizen = patch.defaultCitizen;
  }
  if (patch.random !== undefined) {
    if (typeof patch.random !== 'function') throw new Error('random must be a function');
    next.random = patch.random;
  }
  return next;
}

function isInt(v: unknown, min: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= min;
}
