/** Small facts about untrusted JSON-ish values, shared by the validators. */

/** JSON-ish name of a value's type, for "wrong type" messages. */
export function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/** Absent or null: forms and CSV cells cannot tell the two apart. */
export function isAbsent(v: unknown): boolean {
  return v === undefined || v === null;
}
