/**
 * One batch row checked exactly as a single message is: the same validator, plus the template
 * rendered from the row's placeholder values. Errors name the column as the file names it, and
 * carry the value the person typed. Cells become the API's shapes first: `1.234,56` euro become
 * cents, `31/12/2026` becomes a date, `sì` becomes true.
 */
import { normalizeDateCell, parseEuroAmount, parseYesNo } from '../domain/cell-values.ts';
import type { FieldError } from '../domain/field-error.ts';
import { validateMessageInput, type MessageInput, type MessageRules, type ValidMessage } from '../domain/message-input.ts';
import type { CompiledTemplate } from '../domain/render-template.ts';
import type { ColumnPlan } from './columns.ts';

export interface RowError {
  column: string | null;
  code: string;
  message: string;
  value: string | null;
}

export type RowResult =
  | { kind: 'empty' }
  | { kind: 'valid'; message: ValidMessage; data: Record<string, string> | null }
  | { kind: 'invalid'; fiscalCode: string | null; errors: RowError[] };

const VALUE_MAX = 200;
const clip = (v: string | null | undefined) => (v === null || v === undefined ? null : v.length > VALUE_MAX ? `${v.slice(0, VALUE_MAX)}…` : v);

/** Where a field's value came from: its column and the raw value, asked only for a row with errors. */
export interface Where {
  columnFor(field: string): string | null;
  valueOf(field: string): string | null;
}

/**
 * The shared core for CSV rows and JSON items: render (when a template is given), validate, and
 * report every error at once. `cellErrors` are problems found while reading cells; the
 * validator's complaints about the same fields are dropped so each problem is said once.
 */
export function checkMessage(
  input: MessageInput,
  data: Record<string, unknown> | null,
  template: CompiledTemplate | null,
  rules: MessageRules,
  where: Where,
  cellErrors: FieldError[] = [],
): RowResult {
  const errors: FieldError[] = [...cellErrors];
  let candidate = input;
  if (template) {
    const rendered = template.render(data ?? {});
    if (rendered.ok) candidate = { ...input, subject: rendered.subject, markdown: rendered.markdown };
    else errors.push(...rendered.errors);
  }
  const checked = validateMessageInput(candidate, rules);
  if (checked.ok && !errors.length) return { kind: 'valid', message: checked.value, data: template ? (data as Record<string, string>) : null };
  if (!checked.ok) {
    const said = new Set(errors.map((e) => e.field));
    for (const e of checked.errors) {
      if (said.has(e.field)) continue;
      // A template that could not be rendered already said why.
      if (template && (e.field === 'subject' || e.field === 'markdown') && errors.some((x) => x.field.startsWith('data.') || x.field === e.field)) continue;
      errors.push(e);
    }
  }
  const fiscal = typeof input.fiscal_code === 'string' ? input.fiscal_code : null;
  return {
    kind: 'invalid',
    fiscalCode: fiscal,
    errors: errors.map((e) => ({ column: where.columnFor(e.field) ?? e.field, code: e.code, message: e.message, value: clip(where.valueOf(e.field)) })),
  };
}

/** Reads one spreadsheet row through the column plan. */
export class CsvRowChecker {
  private readonly fields: Array<[string, number]>;

  constructor(
    private readonly plan: ColumnPlan,
    private readonly template: CompiledTemplate | null,
    private readonly rules: MessageRules,
  ) {
    const apiField: Record<string, string> = {
      amount: 'payment_data.amount',
      notice_number: 'payment_data.notice_number',
      invalid_after_due_date: 'payment_data.invalid_after_due_date',
    };
    this.fields = Object.entries(plan.index).map(([f, i]) => [apiField[f] ?? f, i as number]);
  }

  /** The cell at `i`, or undefined when the column is absent or the cell blank. */
  private static cell(cells: string[], i: number | undefined): string | undefined {
    if (i === undefined) return undefined;
    const v = cells[i];
    return v === undefined || v.trim() === '' ? undefined : v;
  }

  check(cells: string[]): RowResult {
    if (cells.every((c) => c.trim() === '')) return { kind: 'empty' };
    const { index } = this.plan;
    const cell = CsvRowChecker.cell;
    const cellErrors: FieldError[] = [];
    const dueDate = cell(cells, index.due_date);
    const scheduledAt = cell(cells, index.scheduled_at);
    const input: MessageInput = {
      fiscal_code: cell(cells, index.fiscal_code)?.trim(),
      subject: cell(cells, index.subject)?.trim(),
      markdown: cell(cells, index.markdown),
      due_date: dueDate === undefined ? undefined : normalizeDateCell(dueDate),
      scheduled_at: scheduledAt === undefined ? undefined : normalizeDateCell(scheduledAt),
      reference: cell(cells, index.reference)?.trim(),
    };
    const amountCell = cell(cells, index.amount);
    const noticeCell = cell(cells, index.notice_number);
    const lateCell = cell(cells, index.invalid_after_due_date);
    if (amountCell !== undefined || noticeCell !== undefined) {
      const payment: Record<string, unknown> = { notice_number: noticeCell?.trim() };
      if (amountCell !== undefined) {
        const amount = parseEuroAmount(amountCell);
        if (amount.ok) payment.amount = amount.value;
        else cellErrors.push({ field: 'payment_data.amount', code: amount.code, message: amount.message });
      }
      if (lateCell !== undefined) {
        const late = parseYesNo(lateCell);
        if (late.ok) payment.invalid_after_due_date = late.value;
        else cellErrors.push({ field: 'payment_data.invalid_after_due_date', code: late.code, message: late.message });
      }
      input.payment_data = payment;
      // A cell error already names the field: keep the validator from adding "required".
      if (amountCell !== undefined && payment.amount === undefined) payment.amount = 1;
    }
    let data: Record<string, string> | null = null;
    if (this.template) {
      data = {};
      for (const p of this.plan.placeholders) {
        const v = cell(cells, p.index);
        if (v !== undefined) data[p.name] = v.trim();
      }
    }
    return checkMessage(input, data, this.template, this.rules, new CellPlace(this.plan, this.fields, cells), cellErrors);
  }
}

/** Columns and raw values of one row, for its error messages. */
class CellPlace implements Where {
  constructor(
    private readonly plan: ColumnPlan,
    private readonly fields: Array<[string, number]>,
    private readonly cells: string[],
  ) {}

  columnFor(field: string): string | null {
    return this.plan.columnFor(field);
  }

  valueOf(field: string): string | null {
    const i = field.startsWith('data.') ? this.plan.placeholders.find((p) => p.name === field.slice(5))?.index : this.fields.find(([f]) => f === field)?.[1];
    return i === undefined ? null : (this.cells[i] ?? null);
  }
}
