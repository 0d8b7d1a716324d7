/**
 * A batch's check in plain Italian for the check page of Invio massivo: a summary sentence that
 * groups the errors by kind ("3 codici fiscali non validi, 1 colonna mancante"), each error's own
 * explanation for the table, and what a file problem (a file that could not be read) means.
 * The errors are stored with the column as the file names it and a stable code (src/ingest).
 */
import { standardField, type StandardField } from '../../domain/template.ts';
import type { BatchErrorKind } from '../../store/batches/errors.ts';
import { formatCount } from '../labels.ts';
import { italianError } from '../italian-errors.ts';

interface Noun {
  one: string;
  many: string;
  feminine: boolean;
}

const FIELD_NOUNS: Readonly<Record<StandardField, Noun>> = {
  fiscal_code: { one: 'codice fiscale', many: 'codici fiscali', feminine: false },
  subject: { one: 'oggetto', many: 'oggetti', feminine: false },
  markdown: { one: 'testo', many: 'testi', feminine: false },
  due_date: { one: 'data di scadenza', many: 'date di scadenza', feminine: true },
  amount: { one: 'importo', many: 'importi', feminine: false },
  notice_number: { one: 'codice avviso', many: 'codici avviso', feminine: false },
  invalid_after_due_date: { one: 'valore di «scadenza vincolante»', many: 'valori di «scadenza vincolante»', feminine: false },
  reference: { one: 'riferimento', many: 'riferimenti', feminine: false },
  scheduled_at: { one: 'data di invio', many: 'date di invio', feminine: true },
};

/** The API field a standard column fills (the names italianError knows). */
const API_FIELDS: Readonly<Record<StandardField, string>> = {
  fiscal_code: 'fiscal_code',
  subject: 'subject',
  markdown: 'markdown',
  due_date: 'due_date',
  amount: 'payment_data.amount',
  notice_number: 'payment_data.notice_number',
  invalid_after_due_date: 'payment_data.invalid_after_due_date',
  reference: 'reference',
  scheduled_at: 'scheduled_at',
};

/** Problems with the file or its header rather than with one value. */
const FILE_KINDS: Readonly<Record<string, { one: string; many: string; listColumns?: boolean }>> = {
  missing_column: { one: 'colonna mancante', many: 'colonne mancanti', listColumns: true },
  duplicate_column: { one: 'colonna ripetuta', many: 'colonne ripetute', listColumns: true },
  not_with_template: { one: 'colonna da togliere perché c’è un modello', many: 'colonne da togliere perché c’è un modello', listColumns: true },
  duplicate_row: { one: 'riga ripetuta', many: 'righe ripetute' },
  too_many_rows: { one: 'file con troppe righe', many: 'file con troppe righe' },
  empty_file: { one: 'file vuoto', many: 'file vuoto' },
  malformed_csv: { one: 'file CSV non leggibile', many: 'file CSV non leggibile' },
  malformed_xlsx: { one: 'file Excel non leggibile', many: 'file Excel non leggibile' },
  unsupported_format: { one: 'formato del file non riconosciuto', many: 'formato del file non riconosciuto' },
  no_header: { one: 'riga di intestazione vuota', many: 'riga di intestazione vuota' },
};

/** Counted once whatever the count: the file as a whole has the problem. */
const ONCE = new Set(['too_many_rows', 'empty_file', 'malformed_csv', 'malformed_xlsx', 'unsupported_format', 'no_header']);

function adjective(code: string, plural: boolean, feminine: boolean): string {
  const end = plural ? (feminine ? 'e' : 'i') : feminine ? 'a' : 'o';
  if (code === 'required') return plural ? 'mancanti' : 'mancante';
  if (code === 'too_short') return `troppo cort${end}`;
  if (code === 'too_long') return `troppo lung${plural ? (feminine ? 'he' : 'hi') : end}`;
  if (code === 'exceeds_service_maximum') return 'oltre il massimo del servizio';
  return `non valid${end}`;
}

const adjectiveKind = (code: string) => (['required', 'too_short', 'too_long', 'exceeds_service_maximum'].includes(code) ? code : 'invalid');

export interface SummaryPart {
  count: number;
  text: string;
}

/**
 * The errors grouped the way a person thinks of them: every wrong fiscal code is one kind
 * whatever rule it broke; missing columns are one kind, named.
 */
export function summarizeErrors(kinds: BatchErrorKind[]): SummaryPart[] {
  const groups = new Map<string, { count: number; make: (n: number) => string; columns: string[] }>();
  const add = (key: string, count: number, make: (n: number) => string, column: string | null) => {
    const g = groups.get(key) ?? { count: 0, make, columns: [] };
    g.count += count;
    if (column && !g.columns.includes(column)) g.columns.push(column);
    groups.set(key, g);
  };
  for (const k of kinds) {
    const file = FILE_KINDS[k.code];
    if (file) {
      add(`file ${k.code}`, ONCE.has(k.code) ? 1 : k.count, (n) => (ONCE.has(k.code) ? file.one : `${formatCount(n)} ${n === 1 ? file.one : file.many}`), file.listColumns ? k.column : null);
      continue;
    }
    const field = k.column ? standardField(k.column) : undefined;
    const kind = adjectiveKind(k.code);
    if (field) {
      const noun = FIELD_NOUNS[field];
      add(`field ${field} ${kind}`, k.count, (n) => `${formatCount(n)} ${n === 1 ? noun.one : noun.many} ${adjective(k.code, n !== 1, noun.feminine)}`, null);
    } else {
      const column = k.column ?? '';
      add(`column ${column} ${kind}`, k.count, (n) => `${formatCount(n)} ${n === 1 ? 'valore' : 'valori'} ${adjective(k.code, n !== 1, false)}${column ? ` nella colonna «${column}»` : ''}`, null);
    }
  }
  return [...groups.values()].map((g) => ({ count: g.count, text: g.columns.length ? `${g.make(g.count)} (${g.columns.join(', ')})` : g.make(g.count) }));
}

/** "3 codici fiscali non validi, 1 colonna mancante (testo)". */
export function summarySentence(parts: SummaryPart[]): string {
  return parts.map((p) => p.text).join(', ');
}

const ERROR_TEXTS: Readonly<Record<string, string>> = {
  missing_column: 'Manca questa colonna nella prima riga del file.',
  duplicate_column: 'Colonna ripetuta: un’altra colonna ha già lo stesso significato.',
  not_with_template: 'Con un modello questa colonna non serve: oggetto e testo li scrive il modello. Toglila dal file.',
  too_many_rows: 'Il file ha troppe righe: dividilo in più file.',
  empty_file: 'Il file è vuoto.',
  malformed_csv: 'Il CSV non si può leggere: probabilmente una cella tra virgolette non viene mai chiusa.',
  malformed_xlsx: 'Il file Excel non si può leggere: salvalo di nuovo da Excel, oppure come CSV.',
  unsupported_format: 'Il file non è né un CSV né una cartella di lavoro Excel .xlsx.',
  no_header: 'La prima riga è vuota: deve contenere i nomi delle colonne.',
  invalid_boolean: 'Valore non valido: scrivi sì o no.',
  invalid_number: 'Numero non valido: scrivi ad esempio 12,5.',
  not_integer: 'Serve un numero intero.',
  template_required: 'Questi valori servono a un modello, ma l’invio non ne usa uno.',
  unknown_field: 'Campo sconosciuto.',
  type: 'Valore del tipo sbagliato.',
};

const FISCAL_CODE_PATTERN = 'Non è un codice fiscale: servono 16 caratteri (6 lettere, 2 cifre, 1 lettera, 2 cifre, 1 lettera, 3 cifre, 1 lettera).';

/** One error of the table, in Italian. */
export function errorText(e: { column_name: string | null; code: string; message: string }): string {
  if (e.code === 'duplicate_row') {
    const first = /row (\d+)/.exec(e.message)?.[1];
    return first ? `Stesso messaggio allo stesso codice fiscale della riga ${first}: non viene inviato due volte.` : 'Stesso messaggio allo stesso codice fiscale di una riga precedente.';
  }
  const fixed = ERROR_TEXTS[e.code];
  if (fixed) return fixed;
  const std = e.column_name ? standardField(e.column_name) : undefined;
  if (std === 'fiscal_code' && e.code === 'pattern') return FISCAL_CODE_PATTERN;
  const field = std ? API_FIELDS[std] : `data.${e.column_name ?? ''}`;
  return italianError({ field, code: e.code, message: e.message });
}

/** A file problem (stored in English for the API) said in Italian. */
export function problemText(problem: string): string {
  if (/no rows to send/.test(problem)) return 'Il file non contiene righe da inviare.';
  if (/no longer on the server/.test(problem)) return 'Il file caricato non è più disponibile: caricalo di nuovo.';
  if (/could not read this file to the end/.test(problem)) return 'GeNIO non è riuscito a leggere il file fino in fondo: salvalo di nuovo come CSV (UTF-8) o XLSX e caricalo di nuovo.';
  if (/^the header has/.test(problem)) return 'La prima riga del file (i nomi delle colonne) non va bene: vedi gli errori qui sotto.';
  if (/more than \d+ rows/.test(problem)) return 'Il file ha troppe righe: dividilo in più file.';
  return 'Il file non si può leggere: vedi gli errori qui sotto.';
}
