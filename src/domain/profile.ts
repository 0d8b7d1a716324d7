/** What a profile check can tell (FACTS.md §4): the answer, or why there is none. */
export type ProfileCheckResult =
  | { kind: 'answer'; senderAllowed: boolean; onIo: boolean }
  /** IO could not be asked in time (rate limit, time-out): try again shortly. */
  | { kind: 'unavailable'; reason: string }
  | { kind: 'failed'; reason: string };
