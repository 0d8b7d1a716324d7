/**
 * Our own SQL for the hottest work (accepting and feeding messages, recording the dispatcher's
 * outcomes, the profile cache) without the query builder: kysely parses, freezes and compiles
 * every value anew, which cost as much CPU as SQLite's own work (profiles of bench/accept.ts and
 * bench/dispatch.ts). Here a statement's text is built once per shape (which statement, how many
 * rows, which dialect) and the values go as parameters, in the order of their `?` marks.
 */
import { CompiledQuery, type Kysely } from 'kysely';

/** A Buffer is bytes: SQLite binds a blob, PostgreSQL sends it as it is (jsonb's binary input, say). */
export type Param = string | number | null | Buffer;

const texts = new Map<string, string>();

const numberedByAdapter = new WeakMap<object, boolean>();

/**
 * True when `db` speaks PostgreSQL (`$1` placeholders), false for SQLite (`?`): asked once per
 * dialect adapter (a transaction shares its database's), by compiling a probe.
 */
export function speaksPostgres(db: Kysely<any>): boolean {
  const adapter = db.getExecutor().adapter;
  let numbered = numberedByAdapter.get(adapter);
  if (numbered === undefined) {
    numbered = db.selectNoFrom((eb) => eb.val(1).as('x')).compile().sql.includes('$1');
    numberedByAdapter.set(adapter, numbered);
  }
  return numbered;
}

/**
 * The statement `build()` writes with `?` marks (numbered `$1`, `$2`, … on PostgreSQL), kept
 * under `shape`. Our own SQL only: a `?` anywhere else in the text would be taken for a mark.
 */
function statementText(db: Kysely<any>, shape: string, build: () => string): string {
  const numbered = speaksPostgres(db);
  const key = `${numbered ? '$' : '?'}|${shape}`;
  let text = texts.get(key);
  if (text === undefined) {
    let n = 0;
    text = numbered ? build().replace(/\?/g, () => `$${++n}`) : build();
    // Row counts vary with load: a few hundred shapes at most, but never without bound.
    if (texts.size >= 2000) texts.clear();
    texts.set(key, text);
  }
  return text;
}

/** `count` copies of `row` (say `(?, ?)`), comma-separated: the rows of a VALUES list. */
export function repeatRows(count: number, row: string): string {
  return Array.from({ length: count }, () => row).join(', ');
}

/** Runs our own statement of a given shape (see statementText) and returns its rows. */
export async function runStatement<R>(db: Kysely<any>, shape: string, build: () => string, params: Param[]): Promise<R[]> {
  const { rows } = await db.executeQuery<R>(CompiledQuery.raw(statementText(db, shape, build), params));
  return rows;
}

/**
 * Inserts `rows` into `table`, reading `columns` of each row (a missing value is NULL). The
 * caller keeps a statement within the database's parameter limit (SQLite: 32 766).
 */
export async function insertRows<Row extends object>(db: Kysely<any>, table: string, columns: readonly (keyof Row & string)[], rows: readonly Row[]): Promise<void> {
  if (!rows.length) return;
  const params: Param[] = new Array(rows.length * columns.length);
  let i = 0;
  for (const row of rows) for (const c of columns) params[i++] = (row as Record<string, Param | undefined>)[c] ?? null;
  const marks = `(${columns.map(() => '?').join(', ')})`;
  await runStatement(db, `insert|${table}|${columns.join(',')}|${rows.length}`, () => `insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) values ${repeatRows(rows.length, marks)}`, params);
}
