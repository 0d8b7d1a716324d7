/**
 * Minimal io-ts-like decoding primitives. IO decodes request bodies with io-ts codecs and
 * reports every failure as `value [v] at [root.path] is not a valid [type]` in the ProblemJson
 * `detail` (FACTS.md §3, errori-comuni sample); these helpers collect failures the same way so
 * that a 400 names the offending field.
 */

export interface DecodeFailure {
  path: string;
  value: unknown;
  expected: string;
}

/** Collects failures while a decoder walks a payload. */
export class DecodeContext {
  readonly failures: DecodeFailure[] = [];

  fail(path: string, value: unknown, expected: string): undefined {
    this.failures.push({ path, value, expected });
    return undefined;
  }
}

/** Renders failures like io-ts-commons `readableReportSimplified`, one per line. */
export function describeFailures(failures: readonly DecodeFailure[]): string {
  return failures.map((f) => `value [${show(f.value)}] at [root${f.path ? `.${f.path}` : ''}] is not a valid [${f.expected}]`).join('\n');
}

/** Long strings (a 10 001-char markdown) would swamp the detail: keep a prefix. */
function show(value: unknown): string {
  if (value === undefined) return 'undefined';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/** A JSON object (not null, not an array); records a failure otherwise. */
export function decodeRecord(ctx: DecodeContext, path: string, v: unknown, expected: string): Record<string, unknown> | undefined {
  return isRecord(v) ? v : ctx.fail(path, v, expected);
}

/** `WithinRangeString(min, max + 1)`: length counted in UTF-16 code units, as JS `.length`. */
export function decodeString(ctx: DecodeContext, path: string, v: unknown, min = 0, max = Infinity): string | undefined {
  if (typeof v === 'string' && v.length >= min && v.length <= max) return v;
  const expected = max === Infinity ? (min > 0 ? `string of length >= ${min}` : 'string') : `string of length >= ${min} and < ${max + 1}`;
  return ctx.fail(path, v, expected);
}

export function decodePattern(ctx: DecodeContext, path: string, v: unknown, pattern: RegExp, name: string): string | undefined {
  return typeof v === 'string' && pattern.test(v) ? v : ctx.fail(path, v, name);
}

/** `WithinRangeInteger`: a JSON number that is an integer within [min, max]. */
export function decodeInteger(ctx: DecodeContext, path: string, v: unknown, min: number, max: number): number | undefined {
  if (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max) return v;
  return ctx.fail(path, v, `integer >= ${min} and < ${max + 1}`);
}

export function decodeBoolean(ctx: DecodeContext, path: string, v: unknown): boolean | undefined {
  return typeof v === 'boolean' ? v : ctx.fail(path, v, 'boolean');
}

export function decodeEnum<T extends string>(ctx: DecodeContext, path: string, v: unknown, values: readonly T[]): T | undefined {
  return typeof v === 'string' && (values as readonly string[]).includes(v) ? (v as T) : ctx.fail(path, v, values.join(' | '));
}

/** io-ts-commons `withDefault`: `undefined` and `null` both take the default. */
export function orDefault<T>(v: unknown, fallback: T): unknown {
  return v === undefined || v === null ? fallback : v;
}
