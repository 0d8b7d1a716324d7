/**
 * Group commit for accepted messages: requests that arrive while a transaction is committing
 * wait for the next one and share it. One commit for many messages instead of one each: on
 * SQLite the commit (and the WAL checkpoints it triggers) is most of an accept's cost
 * (bench/accept.ts). Nothing is answered before its transaction has committed.
 */
import type { Kysely } from 'kysely';
import type { Schema } from '../schema.ts';
import { acceptMessage, acceptMessages, type AcceptInput, type AcceptResult } from './accept.ts';

interface Waiting {
  input: AcceptInput;
  resolve: (r: AcceptResult) => void;
  reject: (err: unknown) => void;
}

export class AcceptBatcher {
  private queue: Waiting[] = [];
  private running = false;

  constructor(private readonly db: Kysely<Schema>, private readonly maxBatch = 200) {}

  accept(input: AcceptInput): Promise<AcceptResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ input, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    while (this.queue.length) {
      const batch = this.queue.splice(0, this.maxBatch);
      try {
        const results = await acceptMessages(this.db, batch.map((w) => w.input));
        batch.forEach((w, i) => w.resolve(results[i]));
      } catch {
        // One bad apple (say, an idempotency race with another process) must not fail the
        // others: each goes again alone, and gets its own answer or error.
        await Promise.all(batch.map((w) => acceptMessage(this.db, w.input).then(w.resolve, w.reject)));
      }
    }
    this.running = false;
  }
}
