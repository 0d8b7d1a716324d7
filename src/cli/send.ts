/**
 * `genio send`: a CSV or XLSX file becomes a batch through the public API (the same checks and
 * path as any client), then the command follows it: the check's verdict with the first errors,
 * and the sending with a progress bar on a terminal (a line per 10 % otherwise).
 * `genio batch status|confirm|cancel <id>` act on a batch afterwards.
 */
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CliError, UsageError } from '../admin/errors.ts';
import type { Output } from '../admin/output.ts';
import { apiClient, problemMessage, type ApiClient } from './api-client.ts';

export interface SendOptions {
  service?: string;
  file?: string;
  template?: string;
  'check-only'?: boolean;
  schedule?: string;
  'send-valid-only'?: boolean;
  'allow-duplicate'?: boolean;
  'no-wait'?: boolean;
  url?: string;
  'api-key'?: string;
}

interface BatchView {
  id: string;
  status: string;
  rows: { total: number; valid: number; invalid: number; empty: number; duplicate: number };
  error_count: number;
  problem: string | null;
  warnings: Array<{ message: string }>;
  messages: Record<string, number>;
  progress: number;
  estimated_finish_at: string | null;
}

const POLL_MS = 300;
const SHOWN_ERRORS = 20;

export async function sendCommand(values: SendOptions, env: NodeJS.ProcessEnv, out: Output, tty = Boolean(process.stderr.isTTY)): Promise<void> {
  const problems: string[] = [];
  if (!values.service) problems.push('--service <code> is required');
  if (!values.file) problems.push('--file <csv or xlsx> is required');
  else if (!fs.existsSync(values.file)) problems.push(`--file: no file ${values.file}`);
  if (problems.length) throw new UsageError(problems);
  const client = apiClient(values, env, out);
  const fields: Record<string, string> = { service: values.service! };
  if (values.template) fields.template = values.template;
  if (values.schedule) fields.scheduled_at = values.schedule;
  if (values['check-only']) fields.check_only = 'true';
  if (values['send-valid-only']) fields.send_valid_only = 'true';
  if (values['allow-duplicate']) fields.allow_duplicate = 'true';
  const r = await client.upload('/api/v1/batches', fields, { name: path.basename(values.file!), path: values.file! });
  if (r.status !== 202) throw new CliError(problemMessage(r));
  const id = (r.body as BatchView).id;
  out.warn(`batch ${id}: checking ${values.file}…`);
  let batch = await follow(client, id, (b) => b.status === 'checking');
  reportCheck(batch, out);
  if (batch.error_count) await printErrors(client, id, batch.error_count, out);
  if (batch.status === 'invalid') {
    throw new CliError(`batch ${id} was not sent: fix the file and send it again${batch.rows.valid && !batch.problem ? `, or send its ${batch.rows.valid} valid row(s) alone with --send-valid-only` : ''}`);
  }
  if (batch.status === 'ready') {
    out.line(`batch ${id} is checked and ready: send it with  genio batch confirm ${id}`);
    out.line(id);
    return;
  }
  if (values['no-wait'] || batch.status === 'scheduled') {
    out.line(`batch ${id} is ${batch.status}${batch.estimated_finish_at ? `; estimated finish ${batch.estimated_finish_at}` : ''}`);
    out.line(id);
    return;
  }
  batch = await followSending(client, id, out, tty);
  out.line(`batch ${id} ${batch.status}: ${summary(batch)}`);
  out.line(id);
}

async function get(client: ApiClient, id: string): Promise<BatchView> {
  const r = await client.call('GET', `/api/v1/batches/${id}`);
  if (r.status !== 200) throw new CliError(problemMessage(r));
  return r.body as BatchView;
}

async function follow(client: ApiClient, id: string, waiting: (b: BatchView) => boolean): Promise<BatchView> {
  for (;;) {
    const b = await get(client, id);
    if (!waiting(b)) return b;
    await sleep(POLL_MS);
  }
}

function reportCheck(b: BatchView, out: Output): void {
  out.warn(`${b.rows.total} row(s): ${b.rows.valid} valid, ${b.rows.invalid} with errors${b.rows.duplicate ? ` (${b.rows.duplicate} duplicate)` : ''}${b.rows.empty ? `, ${b.rows.empty} blank skipped` : ''}`);
  for (const w of b.warnings) out.warn(`warning: ${w.message}`);
  if (b.problem) out.warn(`problem: ${b.problem}`);
}

async function printErrors(client: ApiClient, id: string, count: number, out: Output): Promise<void> {
  const r = await client.call('GET', `/api/v1/batches/${id}/errors?limit=${SHOWN_ERRORS}`);
  for (const e of (r.body?.items ?? []) as Array<{ row: number; column: string | null; message: string; value: string | null }>) {
    out.warn(`  row ${e.row}${e.column ? `, column ${e.column}` : ''}: ${e.message}${e.value ? ` (${JSON.stringify(e.value)})` : ''}`);
  }
  if (count > SHOWN_ERRORS) out.warn(`  … and ${count - SHOWN_ERRORS} more: GET /api/v1/batches/${id}/errors`);
}

const summary = (b: BatchView) =>
  Object.entries(b.messages)
    .map(([s, n]) => `${n} ${s}`)
    .join(', ') || 'no messages';

function bar(fraction: number, width = 30): string {
  const full = Math.round(fraction * width);
  return `[${'#'.repeat(full)}${'.'.repeat(width - full)}] ${(fraction * 100).toFixed(0).padStart(3)} %`;
}

async function followSending(client: ApiClient, id: string, out: Output, tty: boolean): Promise<BatchView> {
  let lastTenth = -1;
  for (;;) {
    const b = await get(client, id);
    const finished = b.status === 'done' || b.status === 'cancelled';
    if (tty) {
      process.stderr.write(`\r${bar(b.progress)}  ${summary(b)}`.padEnd(100) + (finished ? '\n' : ''));
    } else if (Math.floor(b.progress * 10) > lastTenth) {
      lastTenth = Math.floor(b.progress * 10);
      out.warn(`${bar(b.progress)}  ${summary(b)}`);
    }
    if (finished) return b;
    await sleep(POLL_MS);
  }
}

/** `genio batch status|confirm|cancel <id>`. */
export async function batchCommand(action: string | undefined, id: string | undefined, values: Pick<SendOptions, 'url' | 'api-key' | 'send-valid-only' | 'schedule'>, env: NodeJS.ProcessEnv, out: Output): Promise<void> {
  if (!action || !['status', 'confirm', 'cancel', 'errors'].includes(action) || !id) {
    throw new UsageError(['usage: genio batch status|errors|confirm|cancel <batch id>']);
  }
  const client = apiClient(values, env, out);
  if (action === 'status') {
    const b = await get(client, id);
    reportCheck(b, out);
    out.line(`batch ${id} ${b.status}: ${summary(b)}${b.estimated_finish_at ? `; estimated finish ${b.estimated_finish_at}` : ''}`);
    return;
  }
  if (action === 'errors') {
    const b = await get(client, id);
    await printErrors(client, id, b.error_count, out);
    return;
  }
  const body = action === 'confirm' ? { ...(values['send-valid-only'] ? { send_valid_only: true } : {}), ...(values.schedule ? { scheduled_at: values.schedule } : {}) } : undefined;
  const r = await client.call('POST', `/api/v1/batches/${id}/${action}`, body ?? {});
  if (r.status !== 200) throw new CliError(problemMessage(r));
  if (action === 'cancel') out.line(`batch ${id} cancelled: ${r.body.cancelled_messages} message(s) stopped, ${r.body.already_sent} already gone to IO`);
  else out.line(`batch ${id} ${r.body.status}`);
}
