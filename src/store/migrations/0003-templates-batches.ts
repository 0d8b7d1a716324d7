/**
 * Bulk sending: versioned templates, batches (an uploaded file and its fate), the checked rows
 * waiting to be fed into the outbox, and every error found in a file. Messages remember the
 * batch row and the template version they came from.
 */
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../db.ts';

export function up(dialect: Dialect) {
  const serial = dialect === 'postgres' ? 'bigint generated always as identity primary key' : 'integer primary key autoincrement';
  const statements = [
    `create table templates (
      id text primary key,
      ente_id text not null references enti(id),
      service_id text not null references services(id),
      name text not null,
      version integer not null,
      created_at bigint not null,
      updated_at bigint not null,
      deleted_at bigint)`,
    `create index templates_ente on templates (ente_id, id)`,
    `create table template_versions (
      template_id text not null references templates(id),
      version integer not null,
      subject text not null,
      markdown text not null,
      placeholders text not null,
      created_at bigint not null,
      primary key (template_id, version))`,
    `create table batches (
      id text primary key,
      ente_id text not null references enti(id),
      service_id text not null references services(id),
      api_key_id text,
      template_id text,
      template_version integer,
      status text not null check (status in ('checking','invalid','ready','queued','scheduled','sending','done','cancelled')),
      source text not null,
      file_name text,
      file_sha256 text not null,
      file_size bigint not null,
      file_path text,
      encoding text,
      delimiter text,
      scheduled_at bigint,
      check_only integer not null default 0,
      send_valid_only integer not null default 0,
      idempotency_key text,
      request_hash text,
      total_rows integer not null default 0,
      valid_rows integer not null default 0,
      invalid_rows integer not null default 0,
      empty_rows integer not null default 0,
      duplicate_rows integer not null default 0,
      error_count integer not null default 0,
      checked_row integer not null default 0,
      fed_row integer not null default 0,
      warnings text,
      problem text,
      lease_owner text,
      lease_until bigint,
      created_at bigint not null,
      updated_at bigint not null,
      checked_at bigint,
      confirmed_at bigint,
      finished_at bigint,
      cancelled_at bigint)`,
    `create index batches_ente on batches (ente_id, id)`,
    // Duplicate uploads: the same file for the same service within a day.
    `create index batches_file on batches (service_id, file_sha256, created_at)`,
    `create unique index batches_idempotency on batches (ente_id, idempotency_key) where idempotency_key is not null`,
    `create index batches_work on batches (status)`,
    `create table batch_rows (
      batch_id text not null references batches(id),
      row_number integer not null,
      fiscal_code text,
      payload text,
      error text,
      primary key (batch_id, row_number))`,
    `create table batch_errors (
      id ${serial},
      batch_id text not null references batches(id),
      row_number integer not null,
      column_name text,
      code text not null,
      message text not null,
      value text)`,
    `create index batch_errors_batch on batch_errors (batch_id, id)`,
    `alter table messages add column batch_id text`,
    `alter table messages add column batch_row integer`,
    `alter table messages add column template_id text`,
    `alter table messages add column template_version integer`,
    // Progress counts per status and the report (row order) of one batch; single messages have no entry.
    `create index messages_batch_status on messages (batch_id, status) where batch_id is not null`,
    `create unique index messages_batch_row on messages (batch_id, batch_row) where batch_id is not null`,
  ];
  return async (db: Kysely<any>) => {
    for (const s of statements) await sql.raw(s).execute(db);
  };
}
