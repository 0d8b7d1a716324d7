/** A checked batch row survives its storage form unchanged, with or without a template. */
import { describe, expect, it } from 'vitest';
import { decodeRowPayload, encodeRowPayload } from '../../src/store/batches/row-payload.ts';
import type { ValidMessage } from '../../src/domain/message-input.ts';

const full: ValidMessage = {
  fiscalCode: 'RSSMRA85T10A562S',
  subject: 'Avviso "TARI" 2026',
  markdown: 'Gentile contribuente,\nè disponibile l\'avviso \\ con "virgolette" e € 1.234,56.',
  dueDate: new Date('2027-01-31T22:59:59.000Z'),
  payment: { amount: 123456, noticeNumber: '301011100007347557', invalidAfterDueDate: true, payeeFiscalCode: '80000010001' },
  scheduledAt: new Date('2026-12-01T08:00:00.000Z'),
  reference: 'TARI-1',
};
const bare: ValidMessage = { fiscalCode: 'RSSMRA85T10A562S', subject: 'Oggetto di prova', markdown: 'x'.repeat(80), dueDate: null, payment: null, scheduledAt: null, reference: null };

describe('row payload', () => {
  it.each([['every field', full], ['only the required ones', bare]])('round-trips a message with %s', (_name, m) => {
    const json = encodeRowPayload(m, null);
    expect(() => JSON.parse(json)).not.toThrow();
    expect(decodeRowPayload(json, () => ({ subject: '', markdown: '' }))).toEqual(m);
  });

  it('keeps template values instead of the text, and renders them back', () => {
    const json = encodeRowPayload(full, { nome: 'Anna "la" Bianchi' });
    expect(JSON.parse(json).s).toBeUndefined();
    const back = decodeRowPayload(json, (data) => ({ subject: `Avviso per ${data.nome}`, markdown: 'testo' }));
    expect(back).toEqual({ ...full, subject: 'Avviso per Anna "la" Bianchi', markdown: 'testo' });
  });
});
