/** The shapes of the batches API, one TypeBox schema each. */
import { Type, type Static } from '@sinclair/typebox';

const nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const Str = () => Type.String();

export const BATCH_STATUSES = ['checking', 'invalid', 'ready', 'queued', 'scheduled', 'sending', 'done', 'cancelled'] as const;

export const BatchSchema = Type.Object(
  {
    id: Type.String(),
    service: Type.String(),
    status: Type.Unsafe<string>({
      type: 'string',
      enum: [...BATCH_STATUSES],
      description: 'checking → invalid (see errors) or ready → queued / scheduled → sending → done; or cancelled',
    }),
    template: Type.Union([Type.Object({ id: Type.String(), version: Type.Integer() }), Type.Null()]),
    file: Type.Object({
      name: nullable(Str()),
      format: Type.String({ description: 'csv, xlsx or json' }),
      size: Type.Integer(),
      sha256: Type.String(),
      encoding: nullable(Str()),
      delimiter: nullable(Str()),
    }),
    scheduled_at: nullable(Str()),
    check_only: Type.Boolean(),
    send_valid_only: Type.Boolean(),
    rows: Type.Object({
      total: Type.Integer({ description: 'Data rows read (the header is row 1 and not counted)' }),
      valid: Type.Integer(),
      invalid: Type.Integer(),
      empty: Type.Integer({ description: 'Blank rows: skipped' }),
      duplicate: Type.Integer({ description: 'Rows repeating an earlier row (same fiscal code, same message): not sent' }),
    }),
    error_count: Type.Integer(),
    problem: nullable(Type.String({ description: 'Why the batch cannot be sent as it is' })),
    warnings: Type.Array(Type.Object({ column: nullable(Str()), code: Type.String(), message: Type.String() })),
    messages: Type.Record(Type.String(), Type.Integer(), { description: "The batch's messages by status" }),
    progress: Type.Number({ description: 'Share of valid rows that have gone to IO or reached a final status, 0–1' }),
    estimated_finish_at: nullable(Type.String({ description: "At the account budget's pace, if the batch had the account to itself" })),
    preview: Type.Optional(
      Type.Array(
        Type.Object({
          row: Type.Integer(),
          fiscal_code_masked: Type.String(),
          subject: Type.String(),
          markdown: Type.String(),
          due_date: nullable(Str()),
          amount: Type.Union([Type.Integer(), Type.Null()]),
          notice_number: nullable(Str()),
        }),
      ),
    ),
    created_at: Type.String(),
    checked_at: nullable(Str()),
    confirmed_at: nullable(Str()),
    finished_at: nullable(Str()),
    cancelled_at: nullable(Str()),
  },
  { $id: 'Batch' },
);
export type BatchView = Static<typeof BatchSchema>;

export const BatchIdParams = Type.Object({ id: Type.String({ pattern: '^[0-9A-HJKMNP-TV-Z]{26}$', description: 'Batch id' }) });

export const NewJsonBatchSchema = Type.Object(
  {
    service: Type.String(),
    template: Type.Optional(Type.String()),
    scheduled_at: Type.Optional(Type.String()),
    check_only: Type.Optional(Type.Boolean({ description: 'Check and stop at `ready`: send with /confirm' })),
    send_valid_only: Type.Optional(Type.Boolean({ description: 'Send the valid rows even if others have errors' })),
    allow_duplicate: Type.Optional(Type.Boolean({ description: 'The same content was sent in the last 24 hours and it is intended' })),
    messages: Type.Array(Type.Object({}, { additionalProperties: true }), { minItems: 1, description: 'Messages as in POST /api/v1/messages, without `service`; or `data` for the template' }),
  },
  { additionalProperties: false },
);

/** Documentation of the multipart form (not validated by schema: the file is streamed to disk). */
export const MultipartBatchSchema = Type.Object({
  file: Type.String({ format: 'binary', description: 'CSV (UTF-8 or Windows-1252, `;` or `,`) or XLSX (first sheet)' }),
  service: Type.String(),
  template: Type.Optional(Type.String()),
  scheduled_at: Type.Optional(Type.String()),
  check_only: Type.Optional(Type.String({ enum: ['true', 'false'] })),
  send_valid_only: Type.Optional(Type.String({ enum: ['true', 'false'] })),
  allow_duplicate: Type.Optional(Type.String({ enum: ['true', 'false'] })),
});

export const ConfirmSchema = Type.Object(
  {
    scheduled_at: Type.Optional(Type.String({ description: 'Send at this time instead of now' })),
    send_valid_only: Type.Optional(Type.Boolean({ description: 'Required to send a batch that has errors: only its valid rows go' })),
  },
  { additionalProperties: false },
);

export const PageQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
    cursor: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

export const BatchErrorPageSchema = Type.Object({
  items: Type.Array(Type.Object({ row: Type.Integer(), column: nullable(Str()), code: Type.String(), message: Type.String(), value: nullable(Str()) })),
  next_cursor: nullable(Str()),
});

export const ROW_STATUSES = ['invalid', 'pending', 'scheduled', 'queued', 'sending', 'sent', 'delivered', 'rejected', 'failed', 'cancelled'] as const;

export const RowsQuery = Type.Object(
  {
    status: Type.Optional(Type.Unsafe<string>({ type: 'string', enum: [...ROW_STATUSES] })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
    cursor: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

export const BatchRowPageSchema = Type.Object({
  items: Type.Array(
    Type.Object({
      row: Type.Integer(),
      fiscal_code_masked: nullable(Str()),
      status: Type.String({ description: 'invalid (has errors, not sent), pending (not in the queue yet), or the message status' }),
      message_id: nullable(Str()),
      io_message_id: nullable(Str()),
      reason: nullable(Str()),
    }),
  ),
  next_cursor: nullable(Str()),
});
