/**
 * The rows of a batch seen so far, by digest, for duplicate detection: an open-addressing hash
 * table in two typed arrays (12 bytes a slot) instead of a Map, whose million boxed 53-bit keys
 * took more memory than the rest of the check (bench/batch-check.ts).
 */
export class RowDigests {
  private keys = new Float64Array(1 << 12);
  private rows = new Int32Array(1 << 12);
  private size = 0;

  /** The row that first had this digest; if none, records `row` for it and returns undefined. */
  firstRow(digest: number, row: number): number | undefined {
    const mask = this.keys.length - 1;
    let i = (digest >>> 0) & mask;
    while (this.rows[i] !== 0) {
      if (this.keys[i] === digest) return this.rows[i];
      i = (i + 1) & mask;
    }
    this.keys[i] = digest;
    this.rows[i] = row;
    if (++this.size * 2 > this.keys.length) this.grow();
    return undefined;
  }

  private grow(): void {
    const { keys, rows } = this;
    this.keys = new Float64Array(keys.length * 2);
    this.rows = new Int32Array(rows.length * 2);
    const mask = this.keys.length - 1;
    for (let j = 0; j < keys.length; j++) {
      if (rows[j] === 0) continue;
      let i = (keys[j] >>> 0) & mask;
      while (this.rows[i] !== 0) i = (i + 1) & mask;
      this.keys[i] = keys[j];
      this.rows[i] = rows[j];
    }
  }
}
