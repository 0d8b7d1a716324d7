/**
 * Opens the database named by GENIO_DATABASE_URL: a `postgres://` URL means PostgreSQL, anything
 * else is a SQLite file path. The rest of the code sees one Kysely<Schema> and a `dialect` tag
 * for the few statements that differ (claims use SKIP LOCKED on PostgreSQL).
 */
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import { startCheckpointer } from './sqlite-checkpointer.ts';
import type { Schema } from './schema.ts';

export type Dialect = 'sqlite' | 'postgres';

export interface Database {
  db: Kysely<Schema>;
  dialect: Dialect;
  /** Where the data lives, without any password, for messages to a person. */
  description: string;
  close(): Promise<void>;
}

// int8 (bigint) columns hold epoch milliseconds and counters, all far below 2^53.
pg.types.setTypeParser(20, (v) => Number(v));

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//.test(url);
}

export interface OpenOptions {
  /** PostgreSQL only: the schema to use (tests give each file its own). */
  searchPath?: string;
  poolSize?: number;
}

/**
 * Kysely prepares every query anew; better-sqlite3's prepare costs about as much as running a
 * small statement. The dispatcher runs the same few statements thousands of times a second, so
 * prepared statements are kept by their SQL text (a bounded map, oldest dropped first). Multi-row
 * statements have one text per row count (store/raw-statements.ts): several hundred live texts under
 * load, so the map holds 1 024 (256 thrashed: dispatch 1 650 → 1 870–2 000 msg/s at 30 000).
 */
function withStatementCache(sqlite: SQLite.Database, size = 1024) {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(text: string) {
      let stmt = cache.get(text);
      if (stmt) {
        cache.delete(text);
      } else {
        stmt = sqlite.prepare(text);
        if (cache.size >= size) cache.delete(cache.keys().next().value!);
      }
      cache.set(text, stmt);
      return stmt;
    },
  };
}

export async function openDatabase(url: string, opts: OpenOptions = {}): Promise<Database> {
  if (isPostgresUrl(url)) {
    const pool = new pg.Pool({
      connectionString: url,
      max: opts.poolSize ?? 10,
      options: opts.searchPath ? `-c search_path=${opts.searchPath}` : undefined,
    });
    const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
    await sql`select 1`.execute(db);
    const u = new URL(url);
    return {
      db,
      dialect: 'postgres',
      description: `PostgreSQL ${u.host}${u.pathname}${opts.searchPath ? ` (schema ${opts.searchPath})` : ''}`,
      close: () => db.destroy(),
    };
  }
  const file = url.replace(/^sqlite:(\/\/)?/, '');
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const sqlite = new SQLite(file);
  // WAL: readers never block the writer; NORMAL: a commit survives a process crash (kill -9),
  // only a power loss may take back the last transactions.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  // 16 MiB of page cache: the queue's partial indexes hold only waiting messages (a few MiB for a
  // 100 000-message backlog) and the operating system caches the file anyway. 64 MiB bought no
  // dispatch speed and filled up during a million-row check (bench/batch-check.ts: peak RSS).
  sqlite.pragma('cache_size = -16384');
  const checkpointer = file === ':memory:' ? null : startCheckpointer(sqlite, file);
  const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  return {
    db,
    dialect: 'sqlite',
    description: `SQLite ${path.resolve(file)}`,
    close: async () => {
      await checkpointer?.stop();
      await db.destroy();
    },
  };
}
