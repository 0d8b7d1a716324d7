/**
 * The check page's plain Italian: errors grouped the way a person thinks of them, with the right
 * number and gender, and each error's own explanation.
 */
import { describe, expect, it } from 'vitest';
import { errorText, problemText, summarizeErrors, summarySentence } from '../../src/web/pages/batches-summary.ts';

const kind = (code: string, column: string | null, count: number) => ({ code, column, count });

describe('summarizeErrors', () => {
  it.each([
    [[kind('check_character', 'codice_fiscale', 2), kind('pattern', 'Codice_Fiscale', 1)], '3 codici fiscali non validi'],
    [[kind('birth_date', 'fiscal_code', 1)], '1 codice fiscale non valido'],
    [[kind('required', 'codice_fiscale', 4)], '4 codici fiscali mancanti'],
    [[kind('missing_column', 'testo', 1)], '1 colonna mancante (testo)'],
    [[kind('missing_column', 'oggetto', 1), kind('missing_column', 'testo', 1)], '2 colonne mancanti (oggetto, testo)'],
    [[kind('invalid_date', 'data_scadenza', 2)], '2 date di scadenza non valide'],
    [[kind('format', 'data_scadenza', 1)], '1 data di scadenza non valida'],
    [[kind('too_long', 'oggetto', 1)], '1 oggetto troppo lungo'],
    [[kind('too_short', 'testo', 3)], '3 testi troppo corti'],
    [[kind('invalid_amount', 'importo', 1), kind('too_many_decimals', 'importo', 1)], '2 importi non validi'],
    [[kind('exceeds_service_maximum', 'importo', 1)], '1 importo oltre il massimo del servizio'],
    [[kind('duplicate_row', null, 2)], '2 righe ripetute'],
    [[kind('required', 'nome', 1)], '1 valore mancante nella colonna «nome»'],
    [[kind('invalid_date', 'scadenza', 5)], '5 valori non validi nella colonna «scadenza»'],
    [[kind('malformed_csv', null, 1)], 'file CSV non leggibile'],
    [[kind('check_character', 'codice_fiscale', 3), kind('missing_column', 'testo', 1)], '3 codici fiscali non validi, 1 colonna mancante (testo)'],
    [[kind('check_digits', 'codice_avviso', 12345)], '12.345 codici avviso non validi'],
  ])('%j → %s', (kinds, sentence) => {
    expect(summarySentence(summarizeErrors(kinds))).toBe(sentence);
  });
});

describe('errorText', () => {
  it.each([
    [{ column_name: 'codice_fiscale', code: 'check_character', message: '' }, "Il codice fiscale ha un errore di battitura: l'ultimo carattere non corrisponde agli altri."],
    [{ column_name: 'codice_fiscale', code: 'pattern', message: '' }, 'Non è un codice fiscale: servono 16 caratteri (6 lettere, 2 cifre, 1 lettera, 2 cifre, 1 lettera, 3 cifre, 1 lettera).'],
    [{ column_name: 'oggetto', code: 'too_short', message: '' }, "L'oggetto deve avere almeno 10 caratteri."],
    [{ column_name: 'importo', code: 'too_many_decimals', message: '' }, 'Importo non valido: al massimo due decimali.'],
    [{ column_name: null, code: 'duplicate_row', message: 'the same message for the same fiscal code as row 5' }, 'Stesso messaggio allo stesso codice fiscale della riga 5: non viene inviato due volte.'],
    [{ column_name: 'testo', code: 'missing_column', message: '' }, 'Manca questa colonna nella prima riga del file.'],
    [{ column_name: 'anno', code: 'some_new_code', message: 'an English message' }, 'an English message'],
  ])('%j', (e, text) => {
    expect(errorText(e)).toBe(text);
  });
});

describe('problemText', () => {
  it.each([
    ['the file has no rows to send', 'Il file non contiene righe da inviare.'],
    ['the uploaded file is no longer on the server: upload it again', 'Il file caricato non è più disponibile: caricalo di nuovo.'],
    ['the header has 1 problem(s): column "testo" is missing', 'La prima riga del file (i nomi delle colonne) non va bene: vedi gli errori qui sotto.'],
    ['more than 5 rows', 'Il file ha troppe righe: dividilo in più file.'],
  ])('%s', (problem, text) => {
    expect(problemText(problem)).toBe(text);
  });
});
