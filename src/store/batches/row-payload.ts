/**
 * A checked batch row as stored until it is fed into the outbox: the validated message in a
 * compact JSON form. Rows rendered from a template keep their placeholder values instead of the
 * rendered text (the feeder renders them again from the batch's template version, which gives
 * the same text), so a 1 000 000-row campaign does not store its letter a million times twice.
 */
import type { ValidMessage } from '../../domain/message-input.ts';

export interface RowPayload {
  f: string;
  s?: string;
  m?: string;
  /** Placeholder values, when the text comes from a template. */
  x?: Record<string, string>;
  d?: number;
  a?: number;
  n?: string;
  i?: 1;
  p?: string;
  r?: string;
  t?: number;
}

/** Written field by field (no intermediate object): it runs for every row of a million-row file. */
export function encodeRowPayload(m: ValidMessage, templateData: Record<string, string> | null): string {
  let out = `{"f":${JSON.stringify(m.fiscalCode)}`;
  out += templateData ? `,"x":${JSON.stringify(templateData)}` : `,"s":${JSON.stringify(m.subject)},"m":${JSON.stringify(m.markdown)}`;
  if (m.dueDate) out += `,"d":${m.dueDate.getTime()}`;
  if (m.payment) {
    out += `,"a":${m.payment.amount},"n":${JSON.stringify(m.payment.noticeNumber)}`;
    if (m.payment.invalidAfterDueDate) out += ',"i":1';
    if (m.payment.payeeFiscalCode) out += `,"p":${JSON.stringify(m.payment.payeeFiscalCode)}`;
  }
  if (m.reference !== null) out += `,"r":${JSON.stringify(m.reference)}`;
  if (m.scheduledAt) out += `,"t":${m.scheduledAt.getTime()}`;
  return `${out}}`;
}

/** The message back; `render` supplies subject and markdown for template rows. */
export function decodeRowPayload(json: string, render: (data: Record<string, string>) => { subject: string; markdown: string }): ValidMessage {
  const p = JSON.parse(json) as RowPayload;
  const text = p.x ? render(p.x) : { subject: p.s ?? '', markdown: p.m ?? '' };
  return {
    fiscalCode: p.f,
    subject: text.subject,
    markdown: text.markdown,
    dueDate: p.d !== undefined ? new Date(p.d) : null,
    payment: p.a !== undefined && p.n !== undefined ? { amount: p.a, noticeNumber: p.n, invalidAfterDueDate: p.i === 1, payeeFiscalCode: p.p ?? null } : null,
    scheduledAt: p.t !== undefined ? new Date(p.t) : null,
    reference: p.r ?? null,
  };
}
