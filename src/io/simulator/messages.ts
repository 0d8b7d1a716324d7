/**
 * Accepted messages and their lifecycle (FACTS.md §5). IO evaluates the recipient only
 * asynchronously, after answering 201; here the final status is computed lazily, with no timers,
 * the first time the message is read after `processingDelayMs`, and then frozen:
 * ACCEPTED → PROCESSED, REJECTED (USER_NOT_FOUND / SERVICE_NOT_ALLOWED, reason not exposed) or FAILED.
 */
import { createHash } from 'node:crypto';
import { monotonicFactory } from 'ulid';
import type { CitizenRegistry, RejectionReason } from './citizens.ts';
import type { FeatureLevelType, MessageContent } from './validate.ts';

export type MessageStatus = 'ACCEPTED' | 'PROCESSED' | 'REJECTED' | 'FAILED';

export interface StoredMessage {
  id: string;
  fiscalCode: string;
  senderServiceId: string;
  /** ISO-8601, as IO's `created_at`. */
  createdAt: string;
  timeToLive: number;
  featureLevelType: FeatureLevelType;
  content: MessageContent;
  /** Monotonic ms after which the message is no longer ACCEPTED. */
  readyAt: number;
  /** Drawn at submit (failRate) so the random sequence does not depend on polling. */
  willFail: boolean;
  /** Payee IO fills in when the notice carries none (ProcessMessage). */
  organizationFiscalCode?: string;
  final?: Exclude<MessageStatus, 'ACCEPTED'>;
  rejectionReason?: RejectionReason;
}

/** What a submit stores; the store adds the id, the creation time and, later, the outcome. */
export type NewStoredMessage = Omit<StoredMessage, 'id' | 'createdAt' | 'final' | 'rejectionReason'>;

export class MessageStore {
  private readonly byId = new Map<string, StoredMessage>();
  private readonly fingerprints = new Set<string>();
  /** Math.random: ids need uniqueness, not secrecy, and crypto randomness costs ~6% at benchmark rates. */
  private readonly newId = monotonicFactory(Math.random);
  /** Submits answered 201. */
  accepted = 0;
  /** Of those, how many repeated an already accepted (service, CF, subject, markdown, notice). */
  duplicates = 0;

  /** Stores a new message; IO has no idempotency key, so a retried POST is a second message (FACTS.md §3). */
  create(input: NewStoredMessage): StoredMessage {
    const message: StoredMessage = { ...input, id: this.newId(), createdAt: new Date().toISOString() };
    this.byId.set(message.id, message);
    this.accepted++;
    const print = fingerprint(input);
    if (this.fingerprints.has(print)) this.duplicates++;
    else this.fingerprints.add(print);
    return message;
  }

  get(id: string): StoredMessage | undefined {
    return this.byId.get(id);
  }

  /** Status at `now` (monotonic ms); the outcome is decided once, at the first read after the delay. */
  status(m: StoredMessage, now: number, citizens: CitizenRegistry): MessageStatus {
    if (m.final) return m.final;
    if (now < m.readyAt) return 'ACCEPTED';
    const reason = citizens.rejection(m.fiscalCode, m.senderServiceId);
    if (reason) {
      m.final = 'REJECTED';
      m.rejectionReason = reason;
    } else {
      m.final = m.willFail ? 'FAILED' : 'PROCESSED';
    }
    return m.final;
  }

  /** Internal view of why a message was rejected (IO does not expose it). */
  rejectionReason(id: string): RejectionReason | undefined {
    return this.byId.get(id)?.rejectionReason;
  }

  clear(): void {
    this.byId.clear();
    this.fingerprints.clear();
    this.accepted = 0;
    this.duplicates = 0;
  }
}

/** A digest keeps memory flat when a benchmark sends hundreds of thousands of 10 kB markdowns. */
function fingerprint(m: NewStoredMessage): string {
  const notice = m.content.payment_data?.notice_number ?? '';
  return createHash('sha1').update(`${m.senderServiceId}\0${m.fiscalCode}\0${m.content.subject}\0${m.content.markdown}\0${notice}`).digest('base64');
}
