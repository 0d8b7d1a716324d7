/**
 * Sharing one IO account's capacity between the enti that have messages queued on it: round
 * robin, so an ente with 100 000 queued messages gets the same share per round as an ente with
 * one, and the one message goes out within a round (bench/fairness.ts measures the wait).
 */
export interface Quota {
  enteId: string;
  limit: number;
}

/**
 * Splits `capacity` message slots over `enteIds` (sorted, stable), starting at `offset` so that
 * when there are more enti than slots, the next round starts where this one stopped.
 */
export function fairQuota(enteIds: string[], capacity: number, offset: number): { quota: Quota[]; nextOffset: number } {
  const n = enteIds.length;
  if (!n || capacity <= 0) return { quota: [], nextOffset: 0 };
  const start = offset % n;
  const share = Math.floor(capacity / n);
  let extra = capacity - share * n;
  const quota: Quota[] = [];
  for (let i = 0; i < n; i++) {
    const enteId = enteIds[(start + i) % n];
    const limit = share + (extra > 0 ? 1 : 0);
    if (extra > 0) extra--;
    if (limit > 0) quota.push({ enteId, limit });
  }
  return { quota, nextOffset: (start + capacity) % n };
}
