import { describe, expect, it } from 'vitest';
import type { FieldError } from '../../src/domain/field-error.ts';
import {
  checkTemplateDefinition,
  placeholdersUsed,
  STANDARD_COLUMNS,
  standardField,
  type TemplateDefinition,
} from '../../src/domain/template.ts';
import { isUnsafePattern } from '../../src/domain/template.ts';

const MARKDOWN = 'Gentile {{nome}}, le ricordiamo la scadenza del pagamento. '.padEnd(100, 'x');

function base(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    subject: 'Avviso per {{nome}}',
    markdown: MARKDOWN,
    placeholders: [{ name: 'nome', type: 'text' }],
    ...overrides,
  };
}

function validOf(input: unknown): TemplateDefinition {
  const r = checkTemplateDefinition(input);
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.errors)}`);
  return r.value;
}

function errorsOf(input: unknown): FieldError[] {
  const r = checkTemplateDefinition(input);
  if (r.ok) throw new Error('expected errors, got ok');
  return r.errors;
}

function codesOf(input: unknown): Array<[string, string]> {
  return errorsOf(input).map((e) => [e.field, e.code]);
}

describe('placeholdersUsed', () => {
  it.each([
    ['nessuno', []],
    ['{{a}}', ['a']],
    ['{{ b }} e {{a}} poi {{b}} e {{  a  }}', ['b', 'a']],
    ['{{\nnome\n}}', ['nome']],
    ['{{Nome}} {{nome cognome}}', ['Nome', 'nome cognome']],
    ['{{{x}}}', ['x']],
    ['{{}}', ['']],
    ['{nome} {{nome}', []],
  ])('%j → %j', (text, names) => {
    expect(placeholdersUsed(text)).toEqual(names);
  });
});

describe('STANDARD_COLUMNS', () => {
  it('maps each Italian and English column to its message field', () => {
    expect(STANDARD_COLUMNS).toEqual({
      fiscal_code: 'fiscal_code',
      codice_fiscale: 'fiscal_code',
      subject: 'subject',
      oggetto: 'subject',
      markdown: 'markdown',
      testo: 'markdown',
      due_date: 'due_date',
      data_scadenza: 'due_date',
      amount: 'amount',
      importo: 'amount',
      notice_number: 'notice_number',
      codice_avviso: 'notice_number',
      invalid_after_due_date: 'invalid_after_due_date',
      scadenza_vincolante: 'invalid_after_due_date',
      reference: 'reference',
      riferimento: 'reference',
      scheduled_at: 'scheduled_at',
      data_invio: 'scheduled_at',
    });
    expect(Object.isFrozen(STANDARD_COLUMNS)).toBe(true);
  });

  it.each([
    ['Codice_Fiscale', 'fiscal_code'],
    [' IMPORTO ', 'amount'],
    ['data_invio', 'scheduled_at'],
    ['nome', undefined],
    ['constructor', undefined],
    ['__proto__', undefined],
  ])('standardField(%j) → %j', (header, field) => {
    expect(standardField(header)).toBe(field);
  });
});

describe('checkTemplateDefinition: valid definitions', () => {
  it('applies defaults and keeps the texts as written', () => {
    expect(validOf(base())).toEqual({
      subject: 'Avviso per {{nome}}',
      markdown: MARKDOWN,
      placeholders: [{ name: 'nome', type: 'text', required: true, pattern: null, description: null }],
    });
  });

  it('accepts every type and optional field', () => {
    const types = ['text', 'date', 'amount', 'fiscal_code', 'notice_number', 'number'];
    const v = validOf({
      subject: 'Avviso {{p0}}',
      markdown: `${types.map((_t, i) => `{{ p${i} }}`).join(' ')} `.padEnd(100, 'x'),
      placeholders: types.map((type, i) => ({
        name: `p${i}`,
        type,
        required: i % 2 === 0,
        pattern: i === 0 ? '[A-Z]{2}\\d+' : '',
        description: i === 0 ? 'Codice pratica' : null,
      })),
    });
    expect(v.placeholders.map((p) => [p.type, p.required, p.pattern, p.description])).toEqual([
      ['text', true, '[A-Z]{2}\\d+', 'Codice pratica'],
      ['date', false, null, null],
      ['amount', true, null, null],
      ['fiscal_code', false, null, null],
      ['notice_number', true, null, null],
      ['number', false, null, null],
    ]);
  });

  it('accepts a template without placeholders', () => {
    const markdown = MARKDOWN.replace('{{nome}}', 'contribuente');
    expect(validOf({ subject: 'Avviso TARI 2026', markdown }).placeholders).toEqual([]);
  });

  it('trims placeholder names', () => {
    expect(validOf(base({ placeholders: [{ name: ' nome ', type: 'text' }] })).placeholders[0].name).toBe('nome');
  });

  it('accepts a 40-character name and a 200-character pattern', () => {
    const name = `a${'b'.repeat(39)}`;
    const v = validOf({
      subject: `Avviso {{${name}}}`,
      markdown: MARKDOWN,
      placeholders: [
        { name, type: 'text', pattern: 'x'.repeat(200) },
        { name: 'nome', type: 'text' },
      ],
    });
    expect(v.placeholders).toHaveLength(2);
  });

  it('accepts a template whose literal text is within the limit once placeholders are left out', () => {
    // 118 literal characters + a placeholder: can render within 120 if the value is short.
    const subject = `${'S'.repeat(118)}{{nome}}`;
    expect(validOf(base({ subject })).subject).toBe(subject);
  });
});

describe('checkTemplateDefinition: texts', () => {
  it.each([
    [{ subject: undefined }, [['subject', 'required']]],
    [{ subject: null }, [['subject', 'required']]],
    [{ subject: '   ' }, [['subject', 'required']]],
    [{ subject: 42 }, [['subject', 'type']]],
    [{ markdown: undefined }, [['markdown', 'required']]],
    [{ markdown: ['x'] }, [['markdown', 'type']]],
  ])('%j → %j (no unused-placeholder noise when a text is unreadable)', (overrides, expected) => {
    expect(codesOf(base(overrides))).toEqual(expected);
  });

  it('treats a non-object as an empty definition', () => {
    expect(codesOf('nope')).toEqual([
      ['subject', 'required'],
      ['markdown', 'required'],
    ]);
    expect(codesOf(null)).toEqual([
      ['subject', 'required'],
      ['markdown', 'required'],
    ]);
  });

  it('refuses a subject whose literal text alone exceeds 120 characters', () => {
    const errors = errorsOf(base({ subject: `${'S'.repeat(121)}{{nome}}` }));
    expect(errors.map((e) => [e.field, e.code])).toEqual([['subject', 'too_long']]);
    expect(errors[0].message).toContain('121');
  });

  it('refuses a markdown whose literal text alone exceeds 10 000 characters', () => {
    expect(codesOf(base({ markdown: `{{nome}}${'x'.repeat(10_001)}` }))).toEqual([['markdown', 'too_long']]);
  });

  it('refuses raw texts longer than twice the limit even if mostly placeholders', () => {
    const subject = '{{nome}}'.repeat(31); // 248 characters, no literal text
    expect(codesOf(base({ subject }))).toEqual([['subject', 'too_long']]);
  });

  it.each(['Avviso per {{nome}', 'Avviso per nome}} {{nome}}', 'Avviso {{ {{nome}} }}'])(
    'refuses stray braces in %j',
    (subject) => {
      expect(codesOf(base({ subject }))).toEqual([['subject', 'malformed_placeholder']]);
    },
  );
});

describe('checkTemplateDefinition: placeholders', () => {
  it.each([
    [{ name: 'Nome', type: 'text' }, 'placeholders[0].name', 'invalid_name'],
    [{ name: '1nome', type: 'text' }, 'placeholders[0].name', 'invalid_name'],
    [{ name: '_nome', type: 'text' }, 'placeholders[0].name', 'invalid_name'],
    [{ name: 'nome-cognome', type: 'text' }, 'placeholders[0].name', 'invalid_name'],
    [{ name: 'nòme', type: 'text' }, 'placeholders[0].name', 'invalid_name'],
    [{ name: `a${'b'.repeat(40)}`, type: 'text' }, 'placeholders[0].name', 'invalid_name'],
    [{ type: 'text' }, 'placeholders[0].name', 'required'],
    [{ name: '  ', type: 'text' }, 'placeholders[0].name', 'required'],
    [{ name: 7, type: 'text' }, 'placeholders[0].name', 'type'],
    [{ name: 'nome' }, 'placeholders[0].type', 'required'],
    [{ name: 'nome', type: 'currency' }, 'placeholders[0].type', 'unknown_type'],
    [{ name: 'nome', type: 'TEXT' }, 'placeholders[0].type', 'unknown_type'],
    [{ name: 'nome', type: 3 }, 'placeholders[0].type', 'unknown_type'],
    [{ name: 'nome', type: 'text', required: 'yes' }, 'placeholders[0].required', 'type'],
    [{ name: 'nome', type: 'text', pattern: '(' }, 'placeholders[0].pattern', 'invalid_pattern'],
    [{ name: 'nome', type: 'text', pattern: '[a-' }, 'placeholders[0].pattern', 'invalid_pattern'],
    [{ name: 'nome', type: 'text', pattern: 'a{2,1}' }, 'placeholders[0].pattern', 'invalid_pattern'],
    [{ name: 'nome', type: 'text', pattern: '\\p{Nope}' }, 'placeholders[0].pattern', 'invalid_pattern'],
    [{ name: 'nome', type: 'text', pattern: 'x'.repeat(201) }, 'placeholders[0].pattern', 'too_long'],
    [{ name: 'nome', type: 'text', pattern: '(a+)+' }, 'placeholders[0].pattern', 'unsafe_pattern'],
    [{ name: 'nome', type: 'text', pattern: '([a-z]*\\s?)*' }, 'placeholders[0].pattern', 'unsafe_pattern'],
    [{ name: 'nome', type: 'text', pattern: '(\\d{2,})+x' }, 'placeholders[0].pattern', 'unsafe_pattern'],
    [{ name: 'nome', type: 'text', pattern: '((ab)+c)*' }, 'placeholders[0].pattern', 'unsafe_pattern'],
    [{ name: 'nome', type: 'text', pattern: '(a)\\1' }, 'placeholders[0].pattern', 'unsafe_pattern'],
    [{ name: 'nome', type: 'text', pattern: '((a+)?b)+' }, 'placeholders[0].pattern', 'unsafe_pattern'],
    [{ name: 'nome', type: 'text', pattern: 5 }, 'placeholders[0].pattern', 'type'],
    [{ name: 'nome', type: 'text', description: 'd'.repeat(501) }, 'placeholders[0].description', 'too_long'],
    [{ name: 'nome', type: 'text', description: {} }, 'placeholders[0].description', 'type'],
  ])('%j → %s %s', (placeholder, field, code) => {
    expect(codesOf(base({ placeholders: [placeholder] }))).toContainEqual([field, code]);
  });

  it('reports an invalid name once, not again as undeclared where the text uses it', () => {
    const markdown = MARKDOWN.replace('{{nome}}', '{{Nome}}');
    const placeholders = [{ name: 'Nome', type: 'text' }];
    expect(codesOf(base({ subject: 'Avviso per {{Nome}}', markdown, placeholders }))).toEqual([
      ['placeholders[0].name', 'invalid_name'],
    ]);
  });

  it.each(Object.keys(STANDARD_COLUMNS))('refuses the standard column %s as a name', (name) => {
    const errors = errorsOf({
      subject: `Avviso per {{nome}} {{${name}}}`,
      markdown: MARKDOWN,
      placeholders: [
        { name: 'nome', type: 'text' },
        { name, type: 'text' },
      ],
    });
    expect(errors.map((e) => [e.field, e.code])).toEqual([['placeholders[1].name', 'reserved_name']]);
  });

  it('refuses duplicate names', () => {
    expect(
      codesOf(
        base({
          placeholders: [
            { name: 'nome', type: 'text' },
            { name: 'nome', type: 'date' },
          ],
        }),
      ),
    ).toEqual([['placeholders[1].name', 'duplicate']]);
  });

  it.each([
    ['x', 'placeholders', 'type'],
    [{ name: 'nome' }, 'placeholders', 'type'],
  ])('refuses placeholders that are not an array: %j', (placeholders, field, code) => {
    expect(codesOf(base({ placeholders }))).toContainEqual([field, code]);
  });

  it('refuses entries that are not objects, with their index', () => {
    expect(codesOf(base({ placeholders: [{ name: 'nome', type: 'text' }, 'cognome', null] }))).toEqual([
      ['placeholders[1]', 'type'],
      ['placeholders[2]', 'type'],
    ]);
  });
});

describe('checkTemplateDefinition: texts and declarations agree', () => {
  it('reports a placeholder used in the subject but not declared', () => {
    const errors = errorsOf(base({ subject: 'Avviso per {{nome}} {{cognome}}' }));
    expect(errors.map((e) => [e.field, e.code])).toEqual([['subject', 'undeclared_placeholder']]);
    expect(errors[0].message).toContain('{{cognome}}');
  });

  it('reports each undeclared name once per text', () => {
    expect(codesOf(base({ markdown: `{{x}} {{x}} {{ y }} ${MARKDOWN}` }))).toEqual([
      ['markdown', 'undeclared_placeholder'],
      ['markdown', 'undeclared_placeholder'],
    ]);
  });

  it('reports upper-case or spaced names as undeclared, with a hint', () => {
    const errors = errorsOf(base({ markdown: `{{Nome}} {{nome cognome}} ${MARKDOWN}` }));
    expect(errors.map((e) => e.code)).toEqual(['undeclared_placeholder', 'undeclared_placeholder']);
    expect(errors[0].message).toContain('lower-case');
  });

  it('reports a declared placeholder used nowhere', () => {
    expect(
      codesOf(
        base({
          placeholders: [
            { name: 'nome', type: 'text' },
            { name: 'scadenza', type: 'date' },
          ],
        }),
      ),
    ).toEqual([['placeholders[1].name', 'unused_placeholder']]);
  });

  it('counts a placeholder used only in the markdown as used', () => {
    expect(validOf(base({ subject: 'Avviso TARI 2026' })).placeholders).toHaveLength(1);
  });

  it('collects every error at once', () => {
    expect(
      codesOf({
        subject: 'Avviso {{zz}}',
        markdown: `{{nome}} ${'x'.repeat(90)}`,
        placeholders: [
          { name: 'nome', type: 'text', pattern: '(' },
          { name: 'importo', type: 'amount' },
          { name: 'extra', type: 'money' },
          { name: 'inutile', type: 'text' },
        ],
      }),
    ).toEqual([
      ['placeholders[0].pattern', 'invalid_pattern'],
      ['placeholders[1].name', 'reserved_name'],
      ['placeholders[2].type', 'unknown_type'],
      ['subject', 'undeclared_placeholder'],
      ['placeholders[3].name', 'unused_placeholder'],
    ]);
  });
});

describe('isUnsafePattern: the everyday patterns of enti pass', () => {
  it.each(['[A-Z]{2}\\d{5}', '\\d{4}-\\d{2}', '(IT|SM)\\d{11}', '[\\p{L} \'-]+', '(\\d{3}\\.)?\\d+', 'TARI-(\\d{4})-[0-9]+', '[(a+)+]+'])('%s', (pattern) => {
    expect(isUnsafePattern(pattern)).toBe(false);
  });
});
