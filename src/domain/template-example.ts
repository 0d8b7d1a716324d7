/**
 * A template filled with example values, one per placeholder type: the values of the sample CSV
 * (src/ingest/sample-csv.ts) and of the web UI's live preview, which shows how a typical message
 * will read in the IO app and whether it fits IO's limits.
 */
import { renderTemplate, type Rendered } from './render-template.ts';
import { PLACEHOLDER_TYPES, type PlaceholderType, type TemplateDefinition } from './template.ts';

/** Example values that pass the checks of each placeholder type (IO's own test fiscal code). */
export const PLACEHOLDER_EXAMPLES: Readonly<Record<PlaceholderType, string>> = {
  text: 'Mario Rossi',
  date: '31/12/2026',
  amount: '1.234,56',
  fiscal_code: 'AAAAAA00A00A000A',
  notice_number: '301011100007347557',
  number: '12',
};

/**
 * The definition filled with the example value of each placeholder's type. Patterns are not
 * applied (an example `Mario Rossi` need not match the ente's own format for a name), and the
 * definition may be one still being written: an unknown type counts as text.
 */
export function renderExample(def: TemplateDefinition): Rendered {
  const placeholders = def.placeholders.map((p) => ({
    ...p,
    type: (PLACEHOLDER_TYPES as readonly string[]).includes(p.type) ? p.type : 'text',
    pattern: null,
  }));
  const data = Object.fromEntries(placeholders.map((p) => [p.name, PLACEHOLDER_EXAMPLES[p.type]]));
  return renderTemplate({ ...def, placeholders }, data);
}
