/**
 * A ready-to-fill CSV for a template: the header a batch upload expects and one example row.
 * UTF-8 with a BOM and `;` between fields, the form Italian Excel opens with accents intact.
 */
import type { PlaceholderType, TemplateDefinition } from '../domain/template.ts';

/** Example values that pass the checks of each placeholder type (IO's own test fiscal code). */
const EXAMPLES: Record<PlaceholderType, string> = {
  text: 'Mario Rossi',
  date: '31/12/2026',
  amount: '1.234,56',
  fiscal_code: 'AAAAAA00A00A000A',
  notice_number: '301011100007347557',
  number: '12',
};

function csvCell(value: string): string {
  return /[;"\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function sampleCsv(def: TemplateDefinition): string {
  const header = ['codice_fiscale', ...def.placeholders.map((p) => p.name), 'riferimento'];
  const example = ['AAAAAA00A00A000A', ...def.placeholders.map((p) => EXAMPLES[p.type]), 'esempio-1'];
  return `\uFEFF${header.map(csvCell).join(';')}\r\n${example.map(csvCell).join(';')}\r\n`;
}
