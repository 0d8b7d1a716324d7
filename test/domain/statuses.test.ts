import { describe, expect, it } from 'vitest';
import {
  CANCELLABLE_STATUSES,
  canTransition,
  FINAL_STATUSES,
  MESSAGE_STATUSES,
  type MessageStatus,
} from '../../src/domain/statuses.ts';

const ALLOWED: ReadonlyArray<readonly [MessageStatus, MessageStatus]> = [
  ['scheduled', 'queued'],
  ['scheduled', 'cancelled'],
  ['queued', 'sending'],
  ['queued', 'cancelled'],
  ['queued', 'failed'],
  ['sending', 'queued'],
  ['sending', 'sent'],
  ['sending', 'rejected'],
  ['sending', 'failed'],
  ['sent', 'delivered'],
  ['sent', 'rejected'],
  ['sent', 'failed'],
  ['sent', 'sent'],
];

const ALL_PAIRS = MESSAGE_STATUSES.flatMap((from) =>
  MESSAGE_STATUSES.map((to) => [from, to, ALLOWED.some(([f, t]) => f === from && t === to)] as const),
);

describe('statuses', () => {
  it('lists the eight statuses in lifecycle order', () => {
    expect(MESSAGE_STATUSES).toEqual([
      'scheduled', 'queued', 'sending', 'sent', 'delivered', 'rejected', 'failed', 'cancelled',
    ]);
  });

  it.each(ALL_PAIRS)('%s → %s allowed: %s', (from, to, expected) => {
    expect(canTransition(from, to)).toBe(expected);
  });

  it.each(MESSAGE_STATUSES.map((s) => [s, ['delivered', 'rejected', 'failed', 'cancelled'].includes(s)] as const))(
    '%s is final: %s',
    (status, expected) => {
      expect(FINAL_STATUSES.has(status)).toBe(expected);
    },
  );

  it.each([...FINAL_STATUSES])('nothing leaves final status %s', (from) => {
    for (const to of MESSAGE_STATUSES) expect(canTransition(from, to)).toBe(false);
  });

  it.each(MESSAGE_STATUSES.map((s) => [s, s === 'scheduled' || s === 'queued'] as const))(
    '%s is cancellable: %s',
    (status, expected) => {
      expect(CANCELLABLE_STATUSES.has(status)).toBe(expected);
    },
  );

  it('every cancellable status can actually move to cancelled', () => {
    for (const s of CANCELLABLE_STATUSES) expect(canTransition(s, 'cancelled')).toBe(true);
  });
});
