/**
 * Saving an uploaded file to disk as it arrives: never whole in memory, hashed on the way (the
 * same file twice is recognised by its SHA-256), and cut off at the size limit.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export class UploadTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`the file is larger than ${limit} bytes`);
  }
}

export interface SavedUpload {
  path: string;
  sha256: string;
  size: number;
  /** The first bytes, to tell an XLSX (a zip) from a CSV. */
  head: Buffer;
}

export async function saveUpload(source: Readable, dir: string, name: string, maxBytes: number): Promise<SavedUpload> {
  await fs.promises.mkdir(dir, { recursive: true });
  const file = path.join(dir, name);
  const hash = crypto.createHash('sha256');
  let size = 0;
  let head = Buffer.alloc(0);
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      if (size > maxBytes) return done(new UploadTooLarge(maxBytes));
      if (head.length < 8) head = Buffer.concat([head, chunk.subarray(0, 8 - head.length)]);
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    await pipeline(source, meter, fs.createWriteStream(file));
  } catch (err) {
    await fs.promises.rm(file, { force: true });
    throw err;
  }
  return { path: file, sha256: hash.digest('hex'), size, head };
}

/** XLSX files are zip archives: they start with `PK\x03\x04`. */
export function looksLikeXlsx(head: Buffer): boolean {
  return head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;
}
