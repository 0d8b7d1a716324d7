/**
 * Table shapes as kysely sees them. Times are epoch milliseconds (bigint in PostgreSQL, read back
 * as numbers), booleans are 0/1, JSON is text: one representation on both databases.
 */
import type { Generated } from 'kysely';
import type { MessageStatus } from '../domain/statuses.ts';
import type { UserRole } from '../domain/permissions.ts';

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
  /** The web UI user who sent it (null: sent with an API key). */
  user_id: string | null;
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
  /** The batch and its row (spreadsheet row number) this message came from; null for single messages. */
  batch_id: string | null;
  batch_row: number | null;
  /** The template version the text was rendered from, if any. */
  template_id: string | null;
  template_version: number | null;
}

/** Every column of a messages row, in the order raw-statements.ts sends them. */
export const MESSAGE_COLUMNS = [
  'id', 'ente_id', 'service_id', 'io_account', 'api_key_id', 'user_id', 'sandbox', 'fiscal_code',
  'subject', 'markdown', 'due_date', 'amount', 'notice_number', 'invalid_after_due_date',
  'payee_fiscal_code', 'reference', 'priority', 'status', 'scheduled_at', 'due_at', 'attempts',
  'polls', 'lease_owner', 'lease_until', 'phase', 'io_message_id', 'key_used', 'last_error',
  'possible_duplicate', 'created_at', 'updated_at', 'sent_at', 'final_at', 'purged_at', 'batch_id',
  'batch_row', 'template_id', 'template_version',
] as const satisfies readonly (keyof MessageTable)[];
// A column added to the table and not listed here would be silently left NULL: refuse to compile.
type Unlisted = Exclude<keyof MessageTable, (typeof MESSAGE_COLUMNS)[number]>;
const allListed: [Unlisted] extends [never] ? true : Unlisted = true;
void allListed;
/** The columns of a new history line (`id` is generated). */
export const MESSAGE_EVENT_COLUMNS = ['message_id', 'status', 'at', 'reason'] as const satisfies readonly (keyof MessageEventTable)[];

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

export interface TemplateTable {
  id: string;
  ente_id: string;
  service_id: string;
  name: string;
  /** The current version; every edit adds one to template_versions. */
  version: number;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
}

export interface TemplateVersionTable {
  template_id: string;
  version: number;
  subject: string;
  markdown: string;
  /** JSON array of domain/template.ts Placeholder. */
  placeholders: string;
  created_at: number;
}

export type BatchStatus = 'checking' | 'invalid' | 'ready' | 'queued' | 'scheduled' | 'sending' | 'done' | 'cancelled';

export interface BatchTable {
  id: string;
  ente_id: string;
  service_id: string;
  api_key_id: string | null;
  /** The web UI user who sent it (null: sent with an API key). */
  user_id: string | null;
  template_id: string | null;
  template_version: number | null;
  status: BatchStatus;
  source: 'csv' | 'xlsx' | 'json';
  file_name: string | null;
  /** SHA-256 of the uploaded bytes: the same file twice is refused unless intended. */
  file_sha256: string;
  file_size: number;
  /** Where the upload waits while it is checked; removed once checked. */
  file_path: string | null;
  encoding: string | null;
  delimiter: string | null;
  scheduled_at: number | null;
  check_only: number;
  send_valid_only: number;
  idempotency_key: string | null;
  request_hash: string | null;
  total_rows: number;
  valid_rows: number;
  invalid_rows: number;
  empty_rows: number;
  duplicate_rows: number;
  error_count: number;
  /** The last row checked and stored (0: none yet); a restart resumes after it. */
  checked_row: number;
  /** The last row fed into the outbox (0: none yet); the feeder resumes after it. */
  fed_row: number;
  /** JSON array of {code, message, column?}: things worth knowing that do not block sending. */
  warnings: string | null;
  /** Why the file could not be read at all, if so. */
  problem: string | null;
  lease_owner: string | null;
  lease_until: number | null;
  created_at: number;
  updated_at: number;
  checked_at: number | null;
  confirmed_at: number | null;
  finished_at: number | null;
  cancelled_at: number | null;
}

export interface BatchRowTable {
  batch_id: string;
  row_number: number;
  fiscal_code: string | null;
  /** JSON of the checked message (store/batches/row-payload.ts); null for a row with errors. */
  payload: string | null;
  /** The row's first error, for the report; null for a valid row. */
  error: string | null;
}

export interface BatchErrorTable {
  id: Generated<number>;
  batch_id: string;
  row_number: number;
  column_name: string | null;
  code: string;
  message: string;
  value: string | null;
}

export interface UserTable {
  id: string;
  /** As the identity provider asserts it (`TINIT-` prefix removed), upper case. */
  fiscal_code: string;
  name: string | null;
  created_at: number;
  last_login_at: number | null;
}

export type { UserRole };

export interface UserRoleTable {
  user_id: string;
  /** The ente, or '*' for an admin of the whole aggregator. */
  ente_id: string;
  role: UserRole;
  granted_at: number;
}

export interface WebSessionTable {
  /** SHA-256 of the cookie's token: a stolen database does not give live sessions. */
  id: string;
  user_id: string;
  /** SPID/CIE level of the login (1–3; 0 unknown). */
  level: number;
  acr: string | null;
  /** The provider's ID token, encrypted: sent back as id_token_hint at logout. */
  id_token: string | null;
  csrf_token: string;
  created_at: number;
  last_seen_at: number;
  /** Absolute end, whatever the activity. */
  expires_at: number;
}

export interface JobLeaseTable {
  /** The job's name, as declared in server.ts. */
  name: string;
  /** The process that holds the lease, or held it last (kept after release, for operators). */
  owner: string | null;
  /** Until when the owner may run the job; null once its round finished (released). */
  lease_until: number | null;
  /** When the last finished round started: the next may start one period later. */
  last_run_at: number | null;
}

export interface BudgetSlotTable {
  /** The IO account (io_accounts.name). */
  account: string;
  /** Start (epoch ms) of the slot being spent; it only moves forward. */
  slot_start: number;
  /** Calls granted in that slot by all processes together. */
  used: number;
  /** What the last claim got: RETURNING shows only the new row, so the grant is kept here. */
  last_grant: number;
  /** After a 429: no process starts a call on the account before this (epoch ms; 0 none). */
  held_until: number;
}

export interface Schema {
  enti: EnteTable;
  io_accounts: IoAccountTable;
  services: ServiceTable;
  api_keys: ApiKeyTable;
  messages: MessageTable;
  message_events: MessageEventTable;
  idempotency_keys: IdempotencyKeyTable;
  callbacks: CallbackTable;
  templates: TemplateTable;
  template_versions: TemplateVersionTable;
  batches: BatchTable;
  batch_rows: BatchRowTable;
  batch_errors: BatchErrorTable;
  users: UserTable;
  user_roles: UserRoleTable;
  web_sessions: WebSessionTable;
  job_leases: JobLeaseTable;
  budget_slots: BudgetSlotTable;
}
