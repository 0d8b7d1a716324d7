/**
 * The shapes of the messages API: one TypeBox schema each, feeding request structure checks,
 * the OpenAPI document and response serialization (a response carries only what is named here:
 * never a full fiscal code).
 */
import { Type, type Static } from '@sinclair/typebox';
import { MESSAGE_STATUSES, type MessageStatus } from '../../domain/statuses.ts';
import { AMOUNT_MAX, AMOUNT_MIN, MARKDOWN_MAX, MARKDOWN_MIN, REFERENCE_MAX, SUBJECT_MAX, SUBJECT_MIN } from '../../domain/limits.ts';

export const StatusSchema = Type.Unsafe<MessageStatus>({
  type: 'string',
  enum: [...MESSAGE_STATUSES],
  description: 'scheduled → queued → sending → sent → delivered; or rejected, failed, cancelled',
});

const dateTime = (description: string) => Type.String({ description, examples: ['2026-12-31', '2026-12-31T18:00:00+01:00', '2026-12-31T17:00:00Z'] });

export const PaymentDataSchema = Type.Object(
  {
    amount: Type.Integer({ minimum: AMOUNT_MIN, maximum: AMOUNT_MAX, description: 'Euro cents, at most the service maximum' }),
    notice_number: Type.String({ description: 'pagoPA notice number (NAV), 18 digits', examples: ['301011100007347557'] }),
    invalid_after_due_date: Type.Optional(Type.Boolean()),
    payee_fiscal_code: Type.Optional(Type.String({ description: 'Creditor body fiscal code, 11 digits; default the service organization' })),
  },
  { additionalProperties: false },
);

export const NewMessageSchema = Type.Object(
  {
    service: Type.String({ description: "The service's code in GeNIO", examples: ['tari'] }),
    fiscal_code: Type.String({ description: "The citizen's codice fiscale", examples: ['RSSMRA79B11C566R'] }),
    subject: Type.Optional(Type.String({ minLength: SUBJECT_MIN, maxLength: SUBJECT_MAX, description: 'Required unless `template` is given' })),
    markdown: Type.Optional(Type.String({ minLength: MARKDOWN_MIN, maxLength: MARKDOWN_MAX, description: 'Required unless `template` is given' })),
    template: Type.Optional(Type.String({ description: "A template's id: its current version renders subject and markdown from `data`" })),
    data: Type.Optional(
      // Values unchecked here: the template checks each by its type. (A union here would let ajv's
      // type coercion turn the number 123456 — cents — into the text "123456" — euro.)
      Type.Record(Type.String(), Type.Unknown(), {
        description: "The template's placeholder values: amounts as integer cents (or a euro string), dates as YYYY-MM-DD",
        examples: [{ nome: 'Mario Rossi', scadenza: '2026-12-31', importo: 12345 }],
      }),
    ),
    due_date: Type.Optional(dateTime('An instant, or a day (Europe/Rome): a plain date means 23:59:59 of that day')),
    payment_data: Type.Optional(PaymentDataSchema),
    scheduled_at: Type.Optional(dateTime('Send at this time (not in the past); zone-less times are Europe/Rome')),
    reference: Type.Optional(Type.String({ maxLength: REFERENCE_MAX, description: "The ente's own reference, searchable" })),
  },
  { additionalProperties: false, $id: 'NewMessage' },
);
export type NewMessageBody = Static<typeof NewMessageSchema>;

export const HistoryEntrySchema = Type.Object({ status: StatusSchema, at: Type.String(), reason: Type.Union([Type.String(), Type.Null()]) });

export const MessageSchema = Type.Object(
  {
    id: Type.String(),
    service: Type.String(),
    status: StatusSchema,
    fiscal_code_masked: Type.String({ description: 'The recipient, masked: GeNIO never returns a full fiscal code' }),
    subject: Type.String(),
    due_date: Type.Union([Type.String(), Type.Null()]),
    payment_data: Type.Union([
      Type.Object({ amount: Type.Integer(), notice_number: Type.String(), invalid_after_due_date: Type.Boolean(), payee_fiscal_code: Type.Union([Type.String(), Type.Null()]) }),
      Type.Null(),
    ]),
    reference: Type.Union([Type.String(), Type.Null()]),
    scheduled_at: Type.Union([Type.String(), Type.Null()]),
    sandbox: Type.Boolean(),
    io_message_id: Type.Union([Type.String(), Type.Null()]),
    template: Type.Union([Type.Object({ id: Type.String(), version: Type.Integer() }), Type.Null()]),
    batch: Type.Union([Type.Object({ id: Type.String(), row: Type.Integer() }), Type.Null()]),
    attempts: Type.Integer(),
    last_error: Type.Union([Type.String(), Type.Null()]),
    created_at: Type.String(),
    updated_at: Type.String(),
    history: Type.Optional(Type.Array(HistoryEntrySchema)),
  },
  { $id: 'Message' },
);
export type MessageView = Static<typeof MessageSchema>;

export const MessageIdParams = Type.Object({ id: Type.String({ pattern: '^[0-9A-HJKMNP-TV-Z]{26}$', description: 'Message id (ULID)' }) });

export const ListQuerySchema = Type.Object(
  {
    service: Type.Optional(Type.String()),
    status: Type.Optional(StatusSchema),
    reference: Type.Optional(Type.String()),
    fiscal_code: Type.Optional(Type.String()),
    created_from: Type.Optional(Type.String({ description: 'Instant or date (Europe/Rome), inclusive' })),
    created_to: Type.Optional(Type.String({ description: 'Instant or date (Europe/Rome), exclusive' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ description: 'next_cursor of the previous page' })),
  },
  { additionalProperties: false },
);
export type ListQuery = Static<typeof ListQuerySchema>;

export const MessagePageSchema = Type.Object({ items: Type.Array(MessageSchema), next_cursor: Type.Union([Type.String(), Type.Null()]) });
