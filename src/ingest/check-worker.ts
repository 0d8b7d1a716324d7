/**
 * Worker thread entry: runs the check (check-rows.ts) for the batch in `workerData` and posts its
 * chunks to the parent, which stores them. At most two chunks wait unacknowledged, so a slow
 * database slows the reading instead of filling memory.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { checkRows, type CheckedBatch } from './check-rows.ts';
import type { TemplateDefinition } from '../domain/template.ts';

const { batch, definition, maxPaymentAmount, maxRows } = workerData as { batch: CheckedBatch; definition: TemplateDefinition | null; maxPaymentAmount: number; maxRows: number };
const port = parentPort!;
let unacknowledged = 0;
let release: (() => void) | null = null;
port.on('message', (m) => {
  if (m !== 'ack') return;
  unacknowledged--;
  release?.();
  release = null;
});

try {
  const chunks = checkRows(batch, definition, maxPaymentAmount, maxRows);
  for (;;) {
    const r = await chunks.next();
    if (r.done) {
      port.postMessage({ type: 'end', end: r.value });
      break;
    }
    port.postMessage({ type: 'chunk', chunk: r.value });
    if (++unacknowledged >= 2) await new Promise<void>((resolve) => (release = resolve));
  }
} catch (err) {
  port.postMessage({ type: 'error', message: (err as Error).message, stack: (err as Error).stack });
}
port.close();
