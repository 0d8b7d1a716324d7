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

export function encodeRowPayload(m: ValidMessage, templateData: Record<string, string> | null): string {
  const p: RowPayload = { f: m.fiscalCode };
  if (templateData) p.x = templateData;
  else {
    p.s = m.subject;
    p.m = m.markdown;
  }
  if (m.dueDate) p.d = m.dueDate.getTime();
  if (m.payment) {
    p.a = m.payment.amount;
    p.n = m.payment.noticeNumber;
    if (m.payment.invalidAfterDueDate) p.i = 1;
    if (m.payment.payeeFiscalCode) p.p = m.payment.payeeFiscalCode;
  }
  if (m.reference !== null) p.r = m.reference;
  if (m.scheduledAt) p.t = m.scheduledAt.getTime();
  return JSON.stringify(p);
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
