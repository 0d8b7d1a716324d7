/**
 * A ready-to-fill CSV for a template: the header a batch upload expects and one example row.
 * UTF-8 with a BOM and `;` between fields, the form Italian Excel opens with accents intact.
 */
import type { TemplateDefinition } from '../domain/template.ts';
import { PLACEHOLDER_EXAMPLES } from '../domain/template-example.ts';

/** One `;`-separated CSV cell: quoted when it holds the separator, a quote or a line break. */
export function csvCell(value: string): string {
  return /[;"\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function sampleCsv(def: TemplateDefinition): string {
  const header = ['codice_fiscale', ...def.placeholders.map((p) => p.name), 'riferimento'];
  const example = ['AAAAAA00A00A000A', ...def.placeholders.map((p) => PLACEHOLDER_EXAMPLES[p.type]), 'esempio-1'];
  return `\uFEFF${header.map(csvCell).join(';')}\r\n${example.map(csvCell).join(';')}\r\n`;
}
