/**
 * Lifecycle of a message inside GeNIO, from the ente's request to IO's final outcome.
 * `sent` means IO answered 201 (which is not delivery, FACTS.md §3); `delivered`/`rejected`/
 * `failed` mirror IO's PROCESSED/REJECTED/FAILED once polling sees them (FACTS.md §5).
 */
export const MESSAGE_STATUSES = [
  'scheduled',
  'queued',
  'sending',
  'sent',
  'delivered',
  'rejected',
  'failed',
  'cancelled',
] as const;

export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/** Statuses nothing can leave: the outcome is known and reported to the ente. */
export const FINAL_STATUSES: ReadonlySet<MessageStatus> = new Set<MessageStatus>([
  'delivered',
  'rejected',
  'failed',
  'cancelled',
]);

/**
 * Statuses an ente may still cancel: only before GeNIO starts talking to IO, because IO has no
 * way to withdraw a message once submitted.
 */
export const CANCELLABLE_STATUSES: ReadonlySet<MessageStatus> = new Set<MessageStatus>(['scheduled', 'queued']);

const TRANSITIONS: Readonly<Record<MessageStatus, readonly MessageStatus[]>> = {
  scheduled: ['queued', 'cancelled'],
  queued: ['sending', 'cancelled', 'failed'],
  // back to queued for retry with back-off (429, 5xx, network errors)
  sending: ['queued', 'sent', 'rejected', 'failed'],
  // sent→sent: polled again, IO still says ACCEPTED
  sent: ['delivered', 'rejected', 'failed', 'sent'],
  delivered: [],
  rejected: [],
  failed: [],
  cancelled: [],
};

/**
 * Whether a status change is legal. The store and the dispatcher call this before every update
 * so that races (e.g. a cancel arriving while a worker picks the message) cannot resurrect a
 * finished message or skip the submit step.
 */
export function canTransition(from: MessageStatus, to: MessageStatus): boolean {
  return TRANSITIONS[from]?.includes(to) ?? false;
}
