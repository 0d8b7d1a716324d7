import { describe, expect, it } from 'vitest';
import type { FieldError } from '../../src/domain/field-error.ts';
import {
  compileTemplate,
  escapeMarkdown,
  type RenderOptions,
  renderTemplate,
} from '../../src/domain/render-template.ts';
import { checkTemplateDefinition, type TemplateDefinition } from '../../src/domain/template.ts';

const FILLER = ' Questo messaggio le ricorda una scadenza del suo comune.';

/** A checked definition: tests render only what `checkTemplateDefinition` accepts. */
function def(input: Record<string, unknown>): TemplateDefinition {
  const r = checkTemplateDefinition(input);
  if (!r.ok) throw new Error(`bad test definition: ${JSON.stringify(r.errors)}`);
  return r.value;
}

/** One placeholder `v` of the given type, used in both subject and markdown. */
function single(type: string, extra: Record<string, unknown> = {}): TemplateDefinition {
  return def({
    subject: 'Avviso: {{v}}',
    markdown: `Valore: {{v}}.${FILLER}${FILLER}`,
    placeholders: [{ name: 'v', type, ...extra }],
  });
}

function ok(d: TemplateDefinition, data: Record<string, unknown>, opts?: RenderOptions) {
  const r = renderTemplate(d, data, opts);
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.errors)}`);
  return r;
}

function errorsOf(d: TemplateDefinition, data: Record<string, unknown>, opts?: RenderOptions): FieldError[] {
  const r = renderTemplate(d, data, opts);
  if (r.ok) throw new Error(`expected errors, got ${JSON.stringify(r)}`);
  return r.errors;
}

function codesOf(d: TemplateDefinition, data: Record<string, unknown>, opts?: RenderOptions): Array<[string, string]> {
  return errorsOf(d, data, opts).map((e) => [e.field, e.code]);
}

/** What `v` rendered as in the subject (plain text). */
function shown(type: string, value: unknown, extra: Record<string, unknown> = {}): string {
  return ok(single(type, extra), { v: value }).subject.slice('Avviso: '.length);
}

describe('renderTemplate: values by type', () => {
  it.each([
    ['text', 'Mario Rossi', 'Mario Rossi'],
    ['text', '  Mario  ', 'Mario'],
    ['text', 42, '42'],
    ['text', true, 'true'],
    ['date', '2026-03-29', '29/03/2026'], // DST starts that day
    ['date', '2026-10-25', '25/10/2026'], // DST ends that day
    ['date', '2026-12-31', '31/12/2026'],
    ['date', '31/12/2026', '31/12/2026'],
    ['date', '1/2/2026', '01/02/2026'],
    ['date', '31.12.2026', '31/12/2026'],
    ['date', '2026-12-31T23:30:00Z', '01/01/2027'], // 00:30 in Rome (UTC+1)
    ['date', '2026-06-30T22:30:00Z', '01/07/2026'], // 00:30 in Rome (UTC+2)
    ['date', '2026-06-30T21:30:00Z', '30/06/2026'],
    ['date', '2026-12-31T23:30:00+01:00', '31/12/2026'],
    ['date', '31/12/2026 23:30', '31/12/2026'], // Italian wall time, not UTC
    ['date', '2026-12-31T23:30', '31/12/2026'],
    ['amount', 12_345, '€ 123,45'], // JSON number: cents, like payment_data.amount
    ['amount', 0, '€ 0,00'],
    ['amount', '0,29', '€ 0,29'], // text: euro as people write it
    ['amount', '1.234', '€ 1.234,00'],
    ['amount', '€ 1.234,56', '€ 1.234,56'],
    ['amount', '1234.5', '€ 1.234,50'],
    ['amount', '123', '€ 123,00'], // text "123" is euro, number 123 is cents
    ['amount', 123, '€ 1,23'],
    ['fiscal_code', ' rssmra79b11c566r ', 'RSSMRA79B11C566R'],
    ['notice_number', ' 301011100007347557 ', '301011100007347557'],
    ['number', '1.234,5', '1234,5'],
    ['number', '12.345,5', '12.345,5'],
    ['number', '1234.5', '1234,5'],
    ['number', 1234.5, '1234,5'],
    ['number', '-3', '-3'],
    ['number', 12, '12'],
  ])('%s %j → %j', (type, value, expected) => {
    expect(shown(type, value)).toBe(expected);
  });

  it.each([
    ['date', '2026-02-30', 'invalid_date'],
    ['date', '31/02/2026', 'invalid_date'],
    ['date', '2026-12-31T25:00', 'invalid_date'],
    ['date', 'domani', 'format'],
    ['date', '12/31/26', 'format'],
    ['date', 20261231, 'type'],
    ['amount', '1,234', 'too_many_decimals'],
    ['amount', 'dieci euro', 'invalid_amount'],
    ['amount', '-5', 'invalid_amount'],
    ['amount', 12.5, 'invalid_amount'], // cents must be whole
    ['amount', -1, 'invalid_amount'],
    ['amount', true, 'type'],
    ['fiscal_code', 'RSSMRA79B11C566X', 'check_character'],
    ['fiscal_code', 'RSSMRA', 'pattern'],
    ['fiscal_code', 12, 'type'],
    ['notice_number', '301011100007347558', 'check_digits'],
    ['notice_number', '12345', 'pattern'],
    ['notice_number', 301011100007347557, 'type'], // already lost digits as a JSON number
    ['number', 'dodici', 'invalid_number'],
    ['number', false, 'type'],
    ['text', { a: 1 }, 'type'],
    ['text', ['a'], 'type'],
    ['text', 'x'.repeat(10_001), 'too_long'],
  ])('%s %j → %s on data.v', (type, value, code) => {
    expect(codesOf(single(type), { v: value })).toEqual([['data.v', code]]);
  });
});

describe('renderTemplate: required and optional values', () => {
  const d = def({
    subject: 'Avviso per {{nome}}{{titolo}}',
    markdown: `Gentile {{titolo}}{{nome}},${FILLER}${FILLER}`,
    placeholders: [
      { name: 'nome', type: 'text' },
      { name: 'titolo', type: 'text', required: false },
    ],
  });

  it.each([undefined, null, '', '   '])('a required value given as %j → required', (nome) => {
    const errors = errorsOf(d, nome === undefined ? {} : { nome });
    expect(errors.map((e) => [e.field, e.code])).toEqual([['data.nome', 'required']]);
    expect(errors[0].message).toContain('{{nome}}');
  });

  it.each([undefined, null, '', '  '])('an optional value given as %j renders empty', (titolo) => {
    const r = ok(d, titolo === undefined ? { nome: 'Mario' } : { nome: 'Mario', titolo });
    expect(r.subject).toBe('Avviso per Mario');
    expect(r.markdown.startsWith('Gentile Mario,')).toBe(true);
  });

  it('uses dataField to name the field, e.g. the CSV column', () => {
    expect(codesOf(d, { titolo: 'Dott. ' }, { dataField: (n) => `colonna ${n.toUpperCase()}` })).toEqual([
      ['colonna NOME', 'required'],
    ]);
  });

  it('looks up only own properties (a placeholder may be called constructor)', () => {
    const c = def({
      subject: 'Avviso {{constructor}}',
      markdown: `{{constructor}}${FILLER}${FILLER}`,
      placeholders: [{ name: 'constructor', type: 'text' }],
    });
    expect(codesOf(c, {})).toEqual([['data.constructor', 'required']]);
  });

  it('refuses data that is not an object', () => {
    expect(codesOf(d, 'Mario' as unknown as Record<string, unknown>)).toEqual([['data', 'type']]);
  });
});

describe('renderTemplate: pattern', () => {
  it.each([
    ['00100', true],
    [' 00100 ', true], // cells are trimmed before matching
    ['0010', false],
    ['001000', false],
    ['abc00100xyz', false], // the whole value must match, not a part of it
  ])('\\d{5} with %j → matches: %s', (value, matches) => {
    const r = renderTemplate(single('text', { pattern: '\\d{5}' }), { v: value });
    if (matches) expect(r.ok).toBe(true);
    else expect(!r.ok && r.errors.map((e) => [e.field, e.code])).toEqual([['data.v', 'pattern_mismatch']]);
  });

  it('is matched against the value as given, before formatting', () => {
    expect(shown('amount', 12_345, { pattern: '\\d+' })).toBe('€ 123,45');
    expect(codesOf(single('amount', { pattern: '\\d+' }), { v: '123,45' })).toEqual([['data.v', 'pattern_mismatch']]);
  });

  it('supports Unicode property escapes for names with accents', () => {
    expect(shown('text', 'Niccolò', { pattern: '\\p{L}+' })).toBe('Niccolò');
  });

  it('is not checked for an optional value left empty', () => {
    const d = def({
      subject: 'Avviso TARI {{cap}}',
      markdown: `CAP {{cap}}${FILLER}${FILLER}`,
      placeholders: [{ name: 'cap', type: 'text', pattern: '\\d{5}', required: false }],
    });
    expect(ok(d, { cap: '' }).subject).toBe('Avviso TARI ');
  });

  it('reports a type error rather than a pattern mismatch when both fail', () => {
    const d = single('date', { pattern: '\\d{2}/\\d{2}/\\d{4}' });
    expect(codesOf(d, { v: 'domani' })).toEqual([['data.v', 'format']]);
  });
});

describe('renderTemplate: substitution and escaping', () => {
  const d = def({
    subject: 'Avviso per {{ nome }}',
    markdown: `Gentile {{nome}},${FILLER}${FILLER}`,
    placeholders: [{ name: 'nome', type: 'text' }],
  });

  it('escapes Markdown in markdown but inserts the value literally in the subject', () => {
    const r = ok(d, { nome: '*bold*' });
    expect(r.subject).toBe('Avviso per *bold*');
    expect(r.markdown.startsWith('Gentile \\*bold\\*,')).toBe(true);
  });

  it('cannot inject a link or HTML', () => {
    const r = ok(d, { nome: '[clicca qui](https://evil.example) <img src=x>' });
    expect(r.markdown.startsWith('Gentile \\[clicca qui\\](https://evil.example) \\<img src=x\\>,')).toBe(true);
  });

  it('substitutes in one pass: a value containing {{x}} stays literal', () => {
    const r = ok(d, { nome: '{{nome}}' });
    expect(r.subject).toBe('Avviso per {{nome}}');
    expect(r.markdown.startsWith('Gentile {{nome}},')).toBe(true);
  });

  it('replaces every occurrence, with or without spaces in the braces', () => {
    const twice = def({
      subject: 'Avviso {{a}} {{ a }}',
      markdown: `{{a}}-{{  a  }}${FILLER}${FILLER}`,
      placeholders: [{ name: 'a', type: 'text' }],
    });
    const r = ok(twice, { a: 'X_1' });
    expect(r.subject).toBe('Avviso X_1 X_1');
    expect(r.markdown.startsWith('X\\_1-X\\_1 Questo')).toBe(true);
  });

  it('formats before escaping: an amount or a date needs no escape', () => {
    const m = def({
      subject: 'Pagamento di {{quota}}',
      markdown: `Importo: {{quota}} entro il {{scadenza}}.${FILLER}${FILLER}`,
      placeholders: [
        { name: 'quota', type: 'amount' },
        { name: 'scadenza', type: 'date' },
      ],
    });
    const r = ok(m, { quota: '1.234,56', scadenza: '31/12/2026' });
    expect(r.markdown.startsWith('Importo: € 1.234,56 entro il 31/12/2026.')).toBe(true);
  });
});

describe('escapeMarkdown', () => {
  it.each([
    ['Mario Rossi', 'Mario Rossi'],
    ["D'Angelo", "D'Angelo"],
    ['Via Roma, 1', 'Via Roma, 1'],
    ['-3', '-3'],
    ['2026', '2026'],
    ['a\\b', 'a\\\\b'],
    ['`code`', '\\`code\\`'],
    ['*x* _y_ ~z~', '\\*x\\* \\_y\\_ \\~z\\~'],
    ['[a](b)', '\\[a\\](b)'],
    ['<b>&amp;', '\\<b\\>\\&amp;'],
    ['# Titolo', '\\# Titolo'],
    ['a | b', 'a \\| b'],
    ['- voce', '\\- voce'],
    ['+ voce', '\\+ voce'],
    ['1. voce', '1\\. voce'],
    ['12) voce', '12\\) voce'],
    ['---', '\\---'],
    ['===', '\\==='],
    ['riga\n- voce\n2. voce\n    codice', 'riga\n\\- voce\n2\\. voce\ncodice'],
  ])('%j → %j', (value, expected) => {
    expect(escapeMarkdown(value)).toBe(expected);
  });
});

describe('renderTemplate: IO limits on the rendered text', () => {
  const d = def({
    subject: 'TARI {{anno}}',
    markdown: '{{corpo}}',
    placeholders: [
      { name: 'anno', type: 'text' },
      { name: 'corpo', type: 'text' },
    ],
  });

  it('accepts a short template that its values make long enough', () => {
    const r = ok(d, { anno: '2026 Roma', corpo: 'x'.repeat(80) });
    expect(r.subject).toBe('TARI 2026 Roma');
    expect(r.markdown).toHaveLength(80);
  });

  it.each([
    [{ anno: '2026', corpo: 'x'.repeat(80) }, 'subject', 'too_short', '9'], // 'TARI 2026'
    [{ anno: 'y'.repeat(116), corpo: 'x'.repeat(80) }, 'subject', 'too_long', '121'],
    [{ anno: '2026 Roma', corpo: 'x'.repeat(79) }, 'markdown', 'too_short', '79'],
    [{ anno: '2026 Roma', corpo: 'x'.repeat(10_000) }, 'markdown', 'ok', ''],
    [{ anno: '2026 Roma', corpo: `${'x'.repeat(9_999)}*` }, 'markdown', 'too_long', '10001'], // the escape counts
  ])('%#: %s → %s', (data, field, code, length) => {
    const r = renderTemplate(d, data);
    if (code === 'ok') {
      expect(r.ok).toBe(true);
      return;
    }
    expect(!r.ok && r.errors.map((e) => [e.field, e.code])).toEqual([[field, code]]);
    if (!r.ok) {
      expect(r.errors[0].message).toContain('after filling in the placeholders');
      expect(r.errors[0].message).toContain(` ${length} characters`);
    }
  });

  it('a value pushing the subject over 120 characters → too_long', () => {
    const s = def({
      subject: `Avviso di pagamento per ${'la sua utenza '.repeat(5)}{{nome}}`, // 94 literal characters
      markdown: `Gentile {{nome}},${FILLER}${FILLER}`,
      placeholders: [{ name: 'nome', type: 'text' }],
    });
    expect(ok(s, { nome: 'M'.repeat(26) }).subject).toHaveLength(120);
    expect(codesOf(s, { nome: 'M'.repeat(27) })).toEqual([['subject', 'too_long']]);
  });

  it('measures the subject without Markdown escapes and the markdown with them', () => {
    const s = def({
      subject: '{{nome}}',
      markdown: `{{nome}}${'x'.repeat(70)}`,
      placeholders: [{ name: 'nome', type: 'text' }],
    });
    // 10 characters with 5 asterisks: the subject is 10 long, the markdown 70 + 10 + 5 escapes.
    const r = ok(s, { nome: '*a*b*c*d*e' });
    expect(r.subject).toHaveLength(10);
    expect(r.markdown).toHaveLength(70 + 10 + 5);
  });

  it('checks lengths only once every value is valid', () => {
    expect(codesOf(d, { anno: '' })).toEqual([
      ['data.anno', 'required'],
      ['data.corpo', 'required'],
    ]);
  });
});

describe('renderTemplate: all errors at once', () => {
  const d = def({
    subject: 'Avviso per {{nome}}',
    markdown: `{{nome}} {{cf}} {{quota}} {{scadenza}} {{cap}}${FILLER}`,
    placeholders: [
      { name: 'nome', type: 'text' },
      { name: 'cf', type: 'fiscal_code' },
      { name: 'quota', type: 'amount' },
      { name: 'scadenza', type: 'date' },
      { name: 'cap', type: 'text', pattern: '\\d{5}' },
    ],
  });

  it('reports every placeholder and every unknown key', () => {
    expect(
      codesOf(d, {
        cf: 'RSSMRA79B11C566X',
        quota: '1,234',
        scadenza: '30/02/2026',
        cap: '123',
        cognome: 'Rossi',
        Nome: 'x',
      }),
    ).toEqual([
      ['data.nome', 'required'],
      ['data.cf', 'check_character'],
      ['data.quota', 'too_many_decimals'],
      ['data.scadenza', 'invalid_date'],
      ['data.cap', 'pattern_mismatch'],
      ['data.cognome', 'unknown_placeholder'],
      ['data.Nome', 'unknown_placeholder'],
    ]);
  });

  it('renders when every value is right', () => {
    const r = ok(d, { nome: 'Mario', cf: 'rssmra79b11c566r', quota: 1234, scadenza: '2026-10-25', cap: '00100' });
    expect(r.markdown.startsWith('Mario RSSMRA79B11C566R € 12,34 25/10/2026 00100 Questo')).toBe(true);
  });
});

describe('compileTemplate', () => {
  it('renders like renderTemplate and can be reused for many rows', () => {
    const d = single('amount');
    const compiled = compileTemplate(d);
    expect(compiled.definition).toBe(d);
    for (const v of ['1,00', 250, '3.000']) {
      expect(compiled.render({ v })).toEqual(renderTemplate(d, { v }));
    }
    expect(compiled.render({ v: '3.000' })).toMatchObject({ ok: true, subject: 'Avviso: € 3.000,00' });
  });

  it('throws on a definition that was not checked', () => {
    expect(() =>
      compileTemplate({ subject: '{{x}}', markdown: 'm', placeholders: [] }),
    ).toThrow(RangeError);
    expect(() =>
      compileTemplate({
        subject: '{{x}}',
        markdown: 'm',
        placeholders: [{ name: 'x', type: 'text', required: true, pattern: '(', description: null }],
      }),
    ).toThrow(RangeError);
  });
});
