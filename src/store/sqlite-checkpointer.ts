/**
 * SQLite WAL checkpoints on a worker thread. A checkpoint copies the WAL into the database file
 * and fsyncs it; run inside a commit on the main thread (SQLite's default) it stalls every request
 * and every dispatch round behind it for tens of milliseconds (bench/accept.ts p99). Here a second
 * connection on its own thread runs PASSIVE checkpoints, which never block the writer, and the
 * main connection's automatic checkpoints are off. If the worker dies, they are turned back on.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type SQLite from 'better-sqlite3';

// An eval'd CommonJS worker: no TypeScript loader is needed on the worker thread.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 1000');
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (err) { parentPort.postMessage(String(err && err.message)); }
}, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m === 'stop') { clearInterval(timer); db.close(); parentPort.close(); }
});
`;

export interface Checkpointer {
  stop(): Promise<void>;
}

export function startCheckpointer(main: SQLite.Database, file: string, intervalMs = 500): Checkpointer {
  const module = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER, { eval: true, workerData: { module, file, intervalMs } });
  let stopping = false;
  main.pragma('wal_autocheckpoint = 0');
  const fallBack = () => {
    if (!stopping && main.open) main.pragma('wal_autocheckpoint = 1000');
  };
  worker.on('error', fallBack);
  worker.on('exit', fallBack);
  worker.unref();
  return {
    async stop() {
      stopping = true;
      // Referenced again while it stops: otherwise a process with nothing else to do exits
      // during this await, before the caller's own error handling has run.
      worker.ref();
      const exited = new Promise((r) => worker.once('exit', r));
      worker.postMessage('stop');
      await exited;
    },
  };
}
