/** A template filled with the example value of each placeholder type: the sample CSV's values and the web preview. */
import { describe, expect, it } from 'vitest';
import { PLACEHOLDER_EXAMPLES, renderExample } from '../../src/domain/template-example.ts';
import { renderTemplate } from '../../src/domain/render-template.ts';
import { PLACEHOLDER_TYPES, type Placeholder, type TemplateDefinition } from '../../src/domain/template.ts';

const ph = (name: string, type: string, pattern: string | null = null): Placeholder => ({ name, type: type as Placeholder['type'], required: true, pattern, description: null });
const LONG = 'Gentile cittadino, questo testo è abbastanza lungo da superare il minimo di ottanta caratteri di IO.';

describe('renderExample', () => {
  it('every example passes the checks of its own type', () => {
    for (const type of PLACEHOLDER_TYPES) {
      const def: TemplateDefinition = { subject: 'Valore: {{v}} e altro testo', markdown: LONG, placeholders: [ph('v', type)] };
      expect(renderTemplate(def, { v: PLACEHOLDER_EXAMPLES[type] }), type).toMatchObject({ ok: true });
    }
  });

  it('formats each value as a message would, ignoring patterns and treating an unknown type as text', () => {
    const def: TemplateDefinition = {
      subject: 'Avviso {{anno}} per {{nome}}',
      markdown: `${LONG} Importo {{totale}}, scadenza {{scadenza}}, colore {{colore}}.`,
      placeholders: [ph('anno', 'number', '\\d{4}'), ph('nome', 'text'), ph('totale', 'amount'), ph('scadenza', 'date'), ph('colore', 'colore')],
    };
    const r = renderExample(def);
    expect(r).toMatchObject({ ok: true, subject: 'Avviso 12 per Mario Rossi' });
    expect(r.ok && r.markdown).toContain('Importo € 1.234,56, scadenza 31/12/2026, colore Mario Rossi.');
  });

  it('a text too short once filled fails on IO\'s limit, with the filled text for a preview', () => {
    const r = renderExample({ subject: 'Avviso {{n}}', markdown: 'Breve {{n}}.', placeholders: [ph('n', 'number')] });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => `${e.field}:${e.code}`)).toEqual(['subject:too_short', 'markdown:too_short']);
    expect(r.filled).toEqual({ subject: 'Avviso 12', markdown: 'Breve 12.' });
  });
});
