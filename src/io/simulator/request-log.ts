/**
 * Bounded log of received requests: a ring that keeps the newest `capacity` entries, so that a
 * benchmark at thousands of requests per second cannot exhaust memory.
 */
import type { RecordedRequest } from './types.ts';

export class RequestLog {
  private ring: RecordedRequest[] = [];
  private next = 0;

  constructor(private capacity: number) {}

  /** Changes the capacity, keeping the newest entries that still fit. */
  resize(capacity: number): void {
    const kept = this.list(Math.max(0, capacity));
    this.capacity = capacity;
    this.ring = kept;
    this.next = 0;
  }

  add(entry: RecordedRequest): void {
    if (this.capacity <= 0) return;
    if (this.ring.length < this.capacity) {
      this.ring.push(entry);
      return;
    }
    this.ring[this.next] = entry;
    this.next = (this.next + 1) % this.capacity;
  }

  /** Oldest first; `limit` keeps only the newest entries. */
  list(limit?: number): RecordedRequest[] {
    const ordered = this.ring.length < this.capacity || this.next === 0 ? this.ring.slice() : [...this.ring.slice(this.next), ...this.ring.slice(0, this.next)];
    return limit !== undefined && limit >= 0 && limit < ordered.length ? ordered.slice(ordered.length - limit) : ordered;
  }

  clear(): void {
    this.ring = [];
    this.next = 0;
  }
}
