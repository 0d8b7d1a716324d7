/**
 * Field errors in Italian for the web UI. The domain's errors carry a stable code and an English
 * message for the API; people at a desk read this instead. A code not listed falls back to the
 * English message, which is still precise.
 */
import type { FieldError } from '../domain/field-error.ts';
import { MARKDOWN_MAX, MARKDOWN_MIN, REFERENCE_MAX, SUBJECT_MAX, SUBJECT_MIN } from '../domain/limits.ts';
import { CALLBACK_URL_MAX } from '../domain/callback-url.ts';
import { TEMPLATE_NAME_MAX } from '../domain/template.ts';

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
  // Chiavi API and Modelli.
  'callback_url invalid_url': 'Indirizzo non valido: scrivilo completo, ad esempio https://gestionale.ente.it/genio/notifiche.',
  'callback_url protocol': 'L\'indirizzo deve iniziare con https:// (o http://).',
  'callback_url credentials': 'L\'indirizzo non può contenere nome utente e password: le notifiche sono firmate con il segreto.',
  'callback_url too_long': `L'indirizzo può avere al massimo ${CALLBACK_URL_MAX.toLocaleString('it-IT')} caratteri.`,
  'services unknown_service': 'Scegli tra i servizi dell\'ente.',
  'name required': 'Dai un nome al modello.',
  'name too_long': `Il nome può avere al massimo ${TEMPLATE_NAME_MAX} caratteri.`,
  'subject malformed_placeholder': 'L\'oggetto contiene {{ o }} che non formano un segnaposto come {{nome}}.',
  'markdown malformed_placeholder': 'Il testo contiene {{ o }} che non formano un segnaposto come {{nome}}.',
  // Invio singolo and the Messaggi search.
  'fiscal_code pattern': 'Il codice fiscale ha 16 caratteri: 6 lettere, 2 cifre, 1 lettera, 2 cifre, 1 lettera, 3 cifre e 1 lettera finale.',
  'codice_fiscale pattern': 'Il codice fiscale ha 16 caratteri: 6 lettere, 2 cifre, 1 lettera, 2 cifre, 1 lettera, 3 cifre e 1 lettera finale.',
  'payment_data.notice_number pattern': 'Il codice avviso ha 18 cifre e inizia con 0, 1, 2 o 3.',
  'due_date format': 'Data non valida: scrivi ad esempio 31/12/2026.',
  'template other_service': 'Il modello appartiene a un altro servizio: scegli il servizio del modello o un altro modello.',
  'stato invalid_value': 'Scegli uno stato dall\'elenco.',
  'servizio unknown_service': 'Scegli un servizio dell\'ente.',
  // Invio massivo: the upload form and the confirmation of a checked file.
  'file required': 'Scegli il file CSV o XLSX da caricare.',
  'file empty_file': 'Il file è vuoto: scegli il file con le righe da inviare.',
  'file wrong_type': 'Il file deve essere un CSV (.csv) o una cartella di lavoro Excel (.xlsx).',
  'file old_excel': 'Il vecchio formato Excel .xls non si può leggere: da Excel salva il file come .xlsx o come CSV.',
  'service required': 'Scegli il servizio con cui inviare i messaggi.',
  'scheduled_at required': 'Indica data e ora dell\'invio.',
  'scheduled_at format': 'Data e ora non valide: scrivi ad esempio 31/12/2026 09:00.',
  'scheduled_at invalid_date': 'Data e ora non valide: il giorno non esiste nel calendario.',
  'scheduled_at in_the_past': 'Data e ora sono già passate: scegline di future, o lascia vuoto per inviare subito.',
  'send_valid_only required': 'Spunta la casella per confermare che le righe con errori non saranno inviate.',
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
  unknown_type: 'Scegli un tipo dall\'elenco.',
  invalid_name: 'Il nome del segnaposto può avere solo lettere minuscole senza accenti, cifre e trattino basso (_), e inizia con una lettera: ad esempio {{nome_cognome}}.',
  reserved_name: 'Questo nome è una colonna standard dei file di GeNIO (come importo, codice_fiscale, data_scadenza): scegline un altro.',
  duplicate: 'Segnaposto ripetuto.',
  undeclared_placeholder: 'Il testo usa un segnaposto senza un nome valido, come {{ }}: scrivi un nome tra le graffe, ad esempio {{nome}}.',
  unused_placeholder: 'Il segnaposto non compare né nell\'oggetto né nel testo.',
  pattern_mismatch: 'Il valore non ha il formato richiesto dal modello.',
  invalid_number: 'Numero non valido: scrivi ad esempio 12 oppure 1.234,5.',
};

export function italianError(e: FieldError): string {
  return BY_FIELD_AND_CODE[`${e.field} ${e.code}`] ?? BY_CODE[e.code] ?? e.message;
}
