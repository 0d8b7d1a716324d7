/**
 * Field errors in Italian for the web UI. The domain's errors carry a stable code and an English
 * message for the API; people at a desk read this instead. A code not listed falls back to the
 * English message, which is still precise.
 */
import type { FieldError } from '../domain/field-error.ts';
import { MARKDOWN_MAX, MARKDOWN_MIN, REFERENCE_MAX, SUBJECT_MAX, SUBJECT_MIN } from '../domain/limits.ts';

const BY_FIELD_AND_CODE: Record<string, string> = {
  'subject too_short': `L'oggetto deve avere almeno ${SUBJECT_MIN} caratteri.`,
  'subject too_long': `L'oggetto può avere al massimo ${SUBJECT_MAX} caratteri.`,
  'markdown too_short': `Il testo deve avere almeno ${MARKDOWN_MIN} caratteri.`,
  'markdown too_long': `Il testo può avere al massimo ${MARKDOWN_MAX.toLocaleString('it-IT')} caratteri.`,
  'reference too_long': `Il riferimento può avere al massimo ${REFERENCE_MAX} caratteri.`,
  'service unknown_service': 'Scegli un servizio dell\'ente.',
  'fiscal_code required': 'Indica il codice fiscale del destinatario.',
  'subject required': 'Indica l\'oggetto del messaggio.',
  'markdown required': 'Scrivi il testo del messaggio.',
  'payment_data.notice_number required': 'Con un importo serve anche il codice avviso.',
  'payment_data.amount required': 'Con un codice avviso serve anche l\'importo.',
};

const BY_CODE: Record<string, string> = {
  required: 'Campo obbligatorio.',
  pattern: 'Il valore non ha il formato atteso.',
  birth_date: 'Il codice fiscale contiene una data di nascita impossibile: controlla i caratteri dal 7° all\'11°.',
  check_character: 'Il codice fiscale ha un errore di battitura: l\'ultimo carattere non corrisponde agli altri.',
  check_digits: 'Il codice avviso ha un errore di battitura: le cifre di controllo non corrispondono.',
  invalid_amount: 'Importo non valido: scrivi ad esempio 1.234,56.',
  too_many_decimals: 'Importo non valido: al massimo due decimali.',
  out_of_range: 'Importo fuori dai limiti ammessi.',
  exceeds_service_maximum: 'L\'importo supera il massimo ammesso per questo servizio.',
  invalid_date: 'Data non valida: scrivi ad esempio 31/12/2026.',
  format: 'Data non valida: scrivi ad esempio 31/12/2026.',
  in_the_past: 'La data è già passata.',
  too_short: 'Troppo corto.',
  too_long: 'Troppo lungo.',
  unknown_template: 'Scegli un modello del servizio.',
  other_service: 'Il modello appartiene a un altro servizio.',
  unsafe_pattern: 'Questo schema di controllo può bloccare il sistema: semplificalo.',
  invalid_pattern: 'Lo schema di controllo non è un\'espressione regolare valida.',
};

export function italianError(e: FieldError): string {
  return BY_FIELD_AND_CODE[`${e.field} ${e.code}`] ?? BY_CODE[e.code] ?? e.message;
}
