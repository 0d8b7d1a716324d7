/**
 * A file's header read against what a batch needs: which cell holds which message field, which
 * hold template placeholders, which are missing and which are unknown. Column names are matched
 * trimmed and case-insensitively, Italian or English (`codice_fiscale` or `fiscal_code`).
 */
import { standardField, type StandardField, type TemplateDefinition } from '../domain/template.ts';

export interface HeaderProblem {
  column: string | null;
  code: string;
  message: string;
}

export interface ColumnPlan {
  /** Cell index of each standard field present. */
  index: Partial<Record<StandardField, number>>;
  /** Cell index of each placeholder column present. */
  placeholders: Array<{ name: string; index: number }>;
  /** The column a message field or `data.<placeholder>` comes from, named as in the file. */
  columnFor(field: string): string | null;
}

/** The Italian name people see in our sample files, for a column the file lacks. */
const ITALIAN: Record<StandardField, string> = {
  fiscal_code: 'codice_fiscale',
  subject: 'oggetto',
  markdown: 'testo',
  due_date: 'data_scadenza',
  amount: 'importo',
  notice_number: 'codice_avviso',
  invalid_after_due_date: 'scadenza_vincolante',
  reference: 'riferimento',
  scheduled_at: 'data_invio',
};

/** validateMessageInput's field names → the standard field whose column holds them. */
const API_FIELD: Record<string, StandardField> = {
  fiscal_code: 'fiscal_code',
  subject: 'subject',
  markdown: 'markdown',
  due_date: 'due_date',
  'payment_data.amount': 'amount',
  'payment_data.notice_number': 'notice_number',
  'payment_data.invalid_after_due_date': 'invalid_after_due_date',
  payment_data: 'amount',
  reference: 'reference',
  scheduled_at: 'scheduled_at',
};

export function planColumns(header: string[], template: TemplateDefinition | null): { plan: ColumnPlan; errors: HeaderProblem[]; warnings: HeaderProblem[] } {
  const errors: HeaderProblem[] = [];
  const warnings: HeaderProblem[] = [];
  const index: Partial<Record<StandardField, number>> = {};
  const names: Partial<Record<StandardField, string>> = {};
  const placeholders: Array<{ name: string; index: number }> = [];
  const placeholderNames = new Map((template?.placeholders ?? []).map((p) => [p.name, p]));
  const seen = new Map<string, string>();

  header.forEach((raw, i) => {
    const name = raw.trim();
    if (!name) return; // a trailing separator, or an unnamed column: nothing to read
    const key = name.toLowerCase();
    const field = standardField(name);
    const target = field ?? (placeholderNames.has(key) ? `data.${key}` : null);
    if (target && seen.has(target)) {
      errors.push({ column: name, code: 'duplicate_column', message: `column "${name}" repeats column "${seen.get(target)}"` });
      return;
    }
    if (field) {
      seen.set(field, name);
      if (template && (field === 'subject' || field === 'markdown')) {
        errors.push({ column: name, code: 'not_with_template', message: `column "${name}" is not used with a template: the template writes the ${field === 'subject' ? 'subject' : 'text'}` });
        return;
      }
      index[field] = i;
      names[field] = name;
    } else if (placeholderNames.has(key)) {
      seen.set(`data.${key}`, name);
      placeholders.push({ name: key, index: i });
    } else {
      warnings.push({ column: name, code: 'unknown_column', message: `column "${name}" is not one GeNIO reads${template ? ' nor a placeholder of the template' : ''}: it is ignored` });
    }
  });

  const missing = (column: string, what: string) => errors.push({ column, code: 'missing_column', message: `column "${column}" is missing: ${what}` });
  if (index.fiscal_code === undefined) missing('codice_fiscale', "every row needs the citizen's fiscal code");
  if (!template) {
    if (index.subject === undefined) missing('oggetto', 'every row needs a subject (or use a template)');
    if (index.markdown === undefined) missing('testo', 'every row needs a text (or use a template)');
  } else {
    for (const p of template.placeholders) {
      if (p.required && !placeholders.some((c) => c.name === p.name)) missing(p.name, `the template needs a value for {{${p.name}}}`);
    }
  }
  if (index.notice_number !== undefined && index.amount === undefined) missing('importo', 'a payment notice needs its amount');
  if (index.amount !== undefined && index.notice_number === undefined) missing('codice_avviso', 'a payment notice needs its notice number');

  const columnFor = (field: string): string | null => {
    if (field.startsWith('data.')) return field.slice(5);
    const std = API_FIELD[field];
    if (!std) return null;
    return names[std] ?? ITALIAN[std];
  };
  return { plan: { index, placeholders, columnFor }, errors, warnings };
}
