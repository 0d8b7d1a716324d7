/**
 * IO's request-body decoding: `NewMessage` (io-functions-commons v2, intersected with the
 * `time_to_live` / `feature_level_type` defaults, FACTS.md §3) and `FiscalCodePayload` (§4).
 *
 * Decoding is `Exact`: unknown properties are silently dropped at every level, not rejected,
 * so the decoded value only holds known fields (that is what getMessage later returns).
 */
import {
  DecodeContext,
  type DecodeFailure,
  decodeBoolean,
  decodeEnum,
  decodeInteger,
  decodePattern,
  decodeRecord,
  decodeString,
  join,
  orDefault,
} from './decode.ts';
import { EMAIL, FISCAL_CODE, NOTICE_NUMBER, ORGANIZATION_FISCAL_CODE, ULID, isIoTimestamp } from './patterns.ts';

export type FeatureLevelType = 'STANDARD' | 'ADVANCED';

export interface PaymentData {
  amount: number;
  notice_number: string;
  invalid_after_due_date: boolean;
  payee?: { fiscal_code: string };
}

export interface ThirdPartyData {
  id: string;
  original_sender?: string;
  original_receipt_date?: string;
  has_attachments: boolean;
  has_remote_content: boolean;
  has_precondition?: 'ALWAYS' | 'ONCE' | 'NEVER';
  summary?: string;
  configuration_id?: string;
}

export interface MessageContent {
  subject: string;
  markdown: string;
  require_secure_channels?: boolean;
  due_date?: string;
  payment_data?: PaymentData;
  eu_covid_cert?: { auth_code: string };
  third_party_data?: ThirdPartyData;
}

export interface NewMessage {
  fiscal_code?: string;
  time_to_live: number;
  feature_level_type: FeatureLevelType;
  content: MessageContent;
}

export type DecodeResult<T> = { ok: true; value: T } | { ok: false; failures: DecodeFailure[] };

const TIMESTAMP = 'IsoDateFromString';

/** Decodes a submit body; on failure IO answers 400 "Invalid message structure". */
export function decodeNewMessage(body: unknown): DecodeResult<NewMessage> {
  const ctx = new DecodeContext();
  const obj = decodeRecord(ctx, '', body, 'NewMessage');
  if (!obj) return { ok: false, failures: ctx.failures };
  const fiscalCode = obj.fiscal_code === undefined ? undefined : decodePattern(ctx, 'fiscal_code', obj.fiscal_code, FISCAL_CODE, 'FiscalCode');
  const ttl = decodeInteger(ctx, 'time_to_live', orDefault(obj.time_to_live, 3600), 3600, 604800);
  const level = decodeEnum(ctx, 'feature_level_type', orDefault(obj.feature_level_type, 'STANDARD'), ['STANDARD', 'ADVANCED'] as const);
  if (obj.default_addresses !== undefined) decodeDefaultAddresses(ctx, obj.default_addresses);
  const content = decodeContent(ctx, 'content', obj.content);
  if (ctx.failures.length > 0 || !content || ttl === undefined || !level) return { ok: false, failures: ctx.failures };
  const value: NewMessage = { time_to_live: ttl, feature_level_type: level, content };
  if (fiscalCode !== undefined) value.fiscal_code = fiscalCode;
  return { ok: true, value };
}

/** Decodes the getProfileByPOST body `{fiscal_code}`; IO answers 400 "Invalid FiscalCodePayload". */
export function decodeFiscalCodePayload(body: unknown): DecodeResult<{ fiscal_code: string }> {
  const ctx = new DecodeContext();
  const obj = decodeRecord(ctx, '', body, 'FiscalCodePayload');
  const cf = obj ? decodePattern(ctx, 'fiscal_code', obj.fiscal_code, FISCAL_CODE, 'FiscalCode') : undefined;
  return cf === undefined ? { ok: false, failures: ctx.failures } : { ok: true, value: { fiscal_code: cf } };
}

/** A fiscal code taken from the URL path (FiscalCodeMiddleware). */
export function decodePathFiscalCode(value: string): DecodeResult<string> {
  const ctx = new DecodeContext();
  const cf = decodePattern(ctx, '', value, FISCAL_CODE, 'FiscalCode');
  return cf === undefined ? { ok: false, failures: ctx.failures } : { ok: true, value: cf };
}

/** Deprecated and ignored by CreateMessage, but still decoded. */
function decodeDefaultAddresses(ctx: DecodeContext, v: unknown): void {
  const obj = decodeRecord(ctx, 'default_addresses', v, 'NewMessageDefaultAddresses');
  if (obj && obj.email !== undefined) decodePattern(ctx, 'default_addresses.email', obj.email, EMAIL, 'EmailString');
}

function decodeContent(ctx: DecodeContext, path: string, v: unknown): MessageContent | undefined {
  const obj = decodeRecord(ctx, path, v, 'MessageContent');
  if (!obj) return undefined;
  const subject = decodeString(ctx, join(path, 'subject'), obj.subject, 10, 120);
  const markdown = decodeString(ctx, join(path, 'markdown'), obj.markdown, 80, 10000);
  const out: Partial<MessageContent> = { subject, markdown };
  if (obj.require_secure_channels !== undefined) out.require_secure_channels = decodeBoolean(ctx, join(path, 'require_secure_channels'), obj.require_secure_channels);
  if (obj.due_date !== undefined) out.due_date = decodeTimestamp(ctx, join(path, 'due_date'), obj.due_date);
  if (obj.payment_data !== undefined) out.payment_data = decodePaymentData(ctx, join(path, 'payment_data'), obj.payment_data);
  if (obj.eu_covid_cert !== undefined) {
    const cert = decodeRecord(ctx, join(path, 'eu_covid_cert'), obj.eu_covid_cert, 'EUCovidCert');
    const authCode = cert ? decodeString(ctx, join(path, 'eu_covid_cert.auth_code'), cert.auth_code) : undefined;
    if (authCode !== undefined) out.eu_covid_cert = { auth_code: authCode };
  }
  if (obj.third_party_data !== undefined) out.third_party_data = decodeThirdPartyData(ctx, join(path, 'third_party_data'), obj.third_party_data);
  return subject !== undefined && markdown !== undefined ? (stripUndefined(out) as MessageContent) : undefined;
}

/** Kept as IO stores it: decoded to a Date, re-encoded as ISO-8601 UTC. */
function decodeTimestamp(ctx: DecodeContext, path: string, v: unknown): string | undefined {
  return typeof v === 'string' && isIoTimestamp(v) ? new Date(v).toISOString() : ctx.fail(path, v, TIMESTAMP);
}

function decodePaymentData(ctx: DecodeContext, path: string, v: unknown): PaymentData | undefined {
  const obj = decodeRecord(ctx, path, v, 'PaymentData');
  if (!obj) return undefined;
  const amount = decodeInteger(ctx, join(path, 'amount'), obj.amount, 1, 9999999999);
  const notice = decodePattern(ctx, join(path, 'notice_number'), obj.notice_number, NOTICE_NUMBER, 'PaymentNoticeNumber');
  const invalidAfter = decodeBoolean(ctx, join(path, 'invalid_after_due_date'), orDefault(obj.invalid_after_due_date, false));
  let payee: { fiscal_code: string } | undefined;
  if (obj.payee !== undefined) {
    const p = decodeRecord(ctx, join(path, 'payee'), obj.payee, 'Payee');
    const cf = p ? decodePattern(ctx, join(path, 'payee.fiscal_code'), p.fiscal_code, ORGANIZATION_FISCAL_CODE, 'OrganizationFiscalCode') : undefined;
    if (cf !== undefined) payee = { fiscal_code: cf };
  }
  if (amount === undefined || notice === undefined || invalidAfter === undefined) return undefined;
  return payee ? { amount, notice_number: notice, invalid_after_due_date: invalidAfter, payee } : { amount, notice_number: notice, invalid_after_due_date: invalidAfter };
}

function decodeThirdPartyData(ctx: DecodeContext, path: string, v: unknown): ThirdPartyData | undefined {
  const obj = decodeRecord(ctx, path, v, 'ThirdPartyData');
  if (!obj) return undefined;
  const at = (k: string) => join(path, k);
  const out: Partial<ThirdPartyData> = {
    id: decodeString(ctx, at('id'), obj.id, 1),
    has_attachments: decodeBoolean(ctx, at('has_attachments'), orDefault(obj.has_attachments, false)),
    has_remote_content: decodeBoolean(ctx, at('has_remote_content'), orDefault(obj.has_remote_content, false)),
  };
  if (obj.original_sender !== undefined) out.original_sender = decodeString(ctx, at('original_sender'), obj.original_sender, 1);
  if (obj.original_receipt_date !== undefined) out.original_receipt_date = decodeTimestamp(ctx, at('original_receipt_date'), obj.original_receipt_date);
  if (obj.has_precondition !== undefined) out.has_precondition = decodeEnum(ctx, at('has_precondition'), obj.has_precondition, ['ALWAYS', 'ONCE', 'NEVER'] as const);
  if (obj.summary !== undefined) out.summary = decodeString(ctx, at('summary'), obj.summary, 1);
  if (obj.configuration_id !== undefined) out.configuration_id = decodePattern(ctx, at('configuration_id'), obj.configuration_id, ULID, 'Ulid');
  return out.id === undefined ? undefined : (stripUndefined(out) as ThirdPartyData);
}

function stripUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}
