/**
 * Table shapes as kysely sees them. Times are epoch milliseconds (bigint in PostgreSQL, read back
 * as numbers), booleans are 0/1, JSON is text: one representation on both databases.
 */
import type { Generated } from 'kysely';
import type { MessageStatus } from '../domain/statuses.ts';

export interface EnteTable {
  id: string;
  fiscal_code: string;
  name: string;
  mode: 'aggregator' | 'partner';
  created_at: number;
}

export interface IoAccountTable {
  name: string;
  /** Null: the configured default budget. */
  budget_calls: number | null;
  budget_window_ms: number | null;
  created_at: number;
}

export interface ServiceTable {
  id: string;
  ente_id: string;
  code: string;
  name: string;
  io_service_id: string;
  /** AES-256-GCM envelopes (see store/secrets.ts), never the key itself. */
  primary_key_enc: string;
  secondary_key_enc: string;
  io_account: string;
  max_payment_amount: number;
  profile_check: number;
  /** The key currently used: 'primary' until IO refuses it. */
  key_in_use: 'primary' | 'secondary';
  flagged_reason: string | null;
  flagged_at: number | null;
  created_at: number;
}

export interface ApiKeyTable {
  id: string;
  ente_id: string;
  /** Visible start of the key, to recognise it in lists. */
  prefix: string;
  /** SHA-256 of the whole key: the key is random and long, so a slow hash adds nothing. */
  key_hash: string;
  /** JSON array of service ids, or null for all of the ente's services. */
  service_ids: string | null;
  callback_url: string | null;
  callback_secret_enc: string | null;
  sandbox: number;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface MessageTable {
  id: string;
  ente_id: string;
  service_id: string;
  io_account: string;
  api_key_id: string | null;
  sandbox: number;
  fiscal_code: string;
  subject: string;
  markdown: string;
  due_date: number | null;
  amount: number | null;
  notice_number: string | null;
  invalid_after_due_date: number | null;
  payee_fiscal_code: string | null;
  reference: string | null;
  /** 0 first: payment and interactive messages; 1 API; 2 bulk rows. */
  priority: number;
  status: MessageStatus;
  scheduled_at: number | null;
  /** When the next step is due: promotion, (re)send, or status poll; null when nothing is due. */
  due_at: number | null;
  attempts: number;
  polls: number;
  lease_owner: string | null;
  lease_until: number | null;
  /** 'submitting' while a submit may be on its way to IO: a crash then may have sent it. */
  phase: string | null;
  io_message_id: string | null;
  key_used: string | null;
  last_error: string | null;
  possible_duplicate: number;
  created_at: number;
  updated_at: number;
  sent_at: number | null;
  final_at: number | null;
  /** When the fiscal code and text were purged (retention); null while kept. */
  purged_at: number | null;
}

export interface MessageEventTable {
  id: Generated<number>;
  message_id: string;
  status: MessageStatus;
  at: number;
  reason: string | null;
}

export interface IdempotencyKeyTable {
  ente_id: string;
  key: string;
  request_hash: string;
  message_id: string;
  created_at: number;
}

export interface ProfileCacheTable {
  service_id: string;
  /** SHA-256 of the fiscal code: the cache needs equality, not the code. */
  fiscal_code_hash: string;
  sender_allowed: number;
  checked_at: number;
}

export interface CallbackTable {
  id: Generated<number>;
  api_key_id: string;
  message_id: string;
  payload: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  due_at: number;
  lease_until: number | null;
  last_error: string | null;
  created_at: number;
}

export interface Schema {
  enti: EnteTable;
  io_accounts: IoAccountTable;
  services: ServiceTable;
  api_keys: ApiKeyTable;
  messages: MessageTable;
  message_events: MessageEventTable;
  idempotency_keys: IdempotencyKeyTable;
  profile_cache: ProfileCacheTable;
  callbacks: CallbackTable;
}
