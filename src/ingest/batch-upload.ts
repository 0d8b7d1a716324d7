/**
 * A batch file arriving in a multipart form, and the batch it becomes. The API's
 * POST /api/v1/batches and the web UI's Invio massivo both come through here: the file streams
 * to disk (hashed on the way, cut off at the size limit), and the same file for the same service
 * within 24 hours is refused, naming the earlier batch, unless the sender says it is intended.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import type { FieldError } from '../domain/field-error.ts';
import type { Schema } from '../store/schema.ts';
import { findSameFile, insertBatch, type Batch, type NewBatch } from '../store/batches/create.ts';
import { looksLikeXlsx, saveUpload, UploadTooLarge, type SavedUpload } from './upload.ts';

/** How long the same file for the same service counts as a second upload by mistake. */
export const SAME_FILE_WINDOW_MS = 86_400_000;

/** One part of a multipart body, as @fastify/multipart's `request.parts()` yields it. */
export type FormPart =
  | { type: 'file'; fieldname: string; filename: string; file: Readable }
  | { type: 'field'; fieldname: string; value: unknown };

export interface BatchForm {
  /** The text fields, by name (only the expected ones). */
  fields: Record<string, unknown>;
  /** The file on disk, or null when none came (or it was refused or too large). */
  saved: SavedUpload | null;
  fileName: string | null;
  source: 'csv' | 'xlsx';
  errors: FieldError[];
  /** The file was larger than the limit: nothing was kept and the rest of the body was not read. */
  tooLarge: boolean;
  /** `mayStore` said no when the file arrived: it was not kept. */
  refused: boolean;
}

export interface BatchFormOptions {
  dir: string;
  maxBytes: number;
  /** The file's name on disk while it waits for its batch, e.g. `<batch id>.upload`. */
  name: string;
  /** The text fields expected beside the file; any other is reported as unknown. */
  fields: readonly string[];
  /**
   * Asked when the file starts, with the fields read before it: false drops the file unread (the
   * web form puts its CSRF token first, so a forged upload never reaches the disk).
   */
  mayStore?: (fields: Record<string, unknown>) => boolean;
}

export function isUploadTooLarge(err: unknown): boolean {
  return err instanceof UploadTooLarge || (err as { code?: string } | null)?.code === 'FST_REQ_FILE_TOO_LARGE';
}

/** Reads the form: one file in the field `file`, and the expected fields. */
export async function readBatchForm(parts: AsyncIterable<FormPart>, opts: BatchFormOptions): Promise<BatchForm> {
  const fields: Record<string, unknown> = {};
  const errors: FieldError[] = [];
  let saved: SavedUpload | null = null;
  let fileName: string | null = null;
  let refused = false;
  try {
    for await (const part of parts) {
      if (part.type === 'file') {
        if (part.fieldname !== 'file' || saved || refused) {
          part.file.resume();
          errors.push({ field: part.fieldname, code: 'unexpected_file', message: 'send one file, in the field "file"' });
          continue;
        }
        if (opts.mayStore && !opts.mayStore(fields)) {
          refused = true;
          part.file.resume();
          continue;
        }
        fileName = part.filename || null;
        saved = await saveUpload(part.file, opts.dir, opts.name, opts.maxBytes);
        // A browser sends the file input even when no file was chosen: no name, no bytes.
        if (!fileName && saved.size === 0) {
          await discardUpload(saved);
          saved = null;
        }
      } else if (opts.fields.includes(part.fieldname)) {
        fields[part.fieldname] = part.value;
      } else {
        errors.push({ field: part.fieldname, code: 'unknown_field', message: `${part.fieldname} is not a known field` });
      }
    }
  } catch (err) {
    if (saved) await discardUpload(saved);
    if (!isUploadTooLarge(err)) throw err;
    errors.push({ field: 'file', code: 'too_large', message: `the file is larger than the limit of ${opts.maxBytes} bytes` });
    return { fields, saved: null, fileName, source: 'csv', errors, tooLarge: true, refused };
  }
  if (!saved) {
    if (!refused) errors.push({ field: 'file', code: 'required', message: 'attach the CSV or XLSX file in the field "file"' });
  } else if (saved.size === 0) {
    errors.push({ field: 'file', code: 'empty_file', message: 'the file is empty' });
  }
  const source = saved && looksLikeXlsx(saved.head) ? 'xlsx' : 'csv';
  return { fields, saved, fileName, source, errors, tooLarge: false, refused };
}

/**
 * A file that is plainly not a batch, told by its name and first bytes: for a person choosing a
 * file in a form (the reader would refuse it too, but only after the upload and a wait).
 */
export function fileTypeProblem(fileName: string | null, saved: SavedUpload): FieldError | null {
  const ext = path.extname(fileName ?? '').toLowerCase();
  const xlsx = looksLikeXlsx(saved.head);
  if (ext === '.xls') return { field: 'file', code: 'old_excel', message: 'the old Excel format .xls is not read: save the file as .xlsx or CSV' };
  if (ext === '.xlsx' && !xlsx) return { field: 'file', code: 'wrong_type', message: 'the file is named .xlsx but is not an Excel workbook' };
  if (!['', '.csv', '.txt', '.xlsx'].includes(ext)) return { field: 'file', code: 'wrong_type', message: `a ${ext} file is neither CSV nor XLSX` };
  return null;
}

export async function discardUpload(saved: SavedUpload): Promise<void> {
  await fs.promises.rm(saved.path, { force: true });
}

/** The batch's own fields; the file's come from the upload. */
export type UploadedBatch = Omit<NewBatch, 'source' | 'file_name' | 'file_sha256' | 'file_size' | 'file_path'>;

export type StoredUpload = { kind: 'created'; batch: Batch } | { kind: 'same_file'; earlier: Batch };

/**
 * Makes the batch (in `checking`) from a saved upload: refused as `same_file` when this service
 * had the same file in the last 24 hours (its batch named, the upload discarded) unless
 * `allowDuplicate`. The file moves to `<dir>/<id>.<source>` for the check. An insert that fails
 * (e.g. a racing Idempotency-Key) leaves no file behind and throws.
 */
export async function storeBatchUpload(
  db: Kysely<Schema>,
  dir: string,
  upload: { saved: SavedUpload; source: Batch['source']; fileName: string | null },
  batch: UploadedBatch,
  opts: { allowDuplicate: boolean; now: number },
): Promise<StoredUpload> {
  const { saved } = upload;
  if (!opts.allowDuplicate) {
    const earlier = await findSameFile(db, batch.service_id, saved.sha256, opts.now - SAME_FILE_WINDOW_MS);
    if (earlier) {
      await discardUpload(saved);
      return { kind: 'same_file', earlier };
    }
  }
  const finalPath = path.join(dir, `${batch.id}.${upload.source}`);
  await fs.promises.rename(saved.path, finalPath);
  try {
    const created = await insertBatch(db, {
      ...batch,
      source: upload.source,
      file_name: upload.fileName,
      file_sha256: saved.sha256,
      file_size: saved.size,
      file_path: finalPath,
    }, opts.now);
    return { kind: 'created', batch: created };
  } catch (err) {
    await fs.promises.rm(finalPath, { force: true });
    throw err;
  }
}
