/** Italian words the UI shows for GeNIO's statuses (the API keeps the English codes). */
import type { MessageStatus } from '../domain/statuses.ts';
import type { BatchStatus } from '../store/schema.ts';
import type { PlaceholderType } from '../domain/template.ts';

export const MESSAGE_STATUS_LABELS: Readonly<Record<MessageStatus, string>> = {
  scheduled: 'Programmato',
  queued: 'In coda',
  sending: 'In invio',
  sent: 'Inviato a IO',
  delivered: 'Consegnato',
  rejected: 'Rifiutato da IO',
  failed: 'Non riuscito',
  cancelled: 'Annullato',
};

export const BATCH_STATUS_LABELS: Readonly<Record<BatchStatus, string>> = {
  checking: 'In verifica',
  invalid: 'Con errori',
  ready: 'Pronto da confermare',
  queued: 'In coda',
  scheduled: 'Programmato',
  sending: 'In invio',
  done: 'Completato',
  cancelled: 'Annullato',
};

/** Kinds of template placeholder, as the Modelli form offers them. */
export const PLACEHOLDER_TYPE_LABELS: Readonly<Record<PlaceholderType, string>> = {
  text: 'Testo',
  date: 'Data',
  amount: 'Importo in euro',
  fiscal_code: 'Codice fiscale',
  notice_number: 'Codice avviso pagoPA',
  number: 'Numero',
};

/** Batches someone is still waiting on. */
export const BATCHES_IN_PROGRESS: readonly BatchStatus[] = ['checking', 'ready', 'queued', 'scheduled', 'sending'];

const dateTime = new Intl.DateTimeFormat('it-IT', { timeZone: 'Europe/Rome', dateStyle: 'short', timeStyle: 'short' });

/** `27/11/26, 21:30` in Italy's time. */
export function formatDateTime(ms: number | null | undefined): string {
  return ms ? dateTime.format(new Date(ms)) : '—';
}

const integer = new Intl.NumberFormat('it-IT');
export function formatCount(n: number): string {
  return integer.format(n);
}
