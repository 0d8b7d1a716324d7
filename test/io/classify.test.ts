import { describe, expect, it } from 'vitest';
import {
  classifyIoResult,
  DEFAULT_RETRY_AFTER_MS,
  ioErrorText,
  parseRetryAfter,
  retryAfterHeaderName,
  type IoCallResult,
  type IoOperation,
  type Verdict,
} from '../../src/io/classify.ts';

const response = (status: number, body: unknown = null, headers: Record<string, string> = {}): IoCallResult => ({
  kind: 'response',
  status,
  body,
  retryAfterSeconds: parseRetryAfter(headers),
});
/** RFC 7807 body as IO's backends send it (FACTS.md §3). */
const problem = (status: number, title: string, detail: string) => ({ type: 'https://example.com/problem/constraint-violation', title, status, detail });
/** APIM's own error body (FACTS.md §3, §7). */
const apim = (statusCode: number, message: string) => ({ statusCode, message });

const ALL: IoOperation[] = ['getProfile', 'submitMessage', 'getMessage'];
type Row = { name: string; op: IoOperation; result: IoCallResult; expected: Verdict | Record<string, unknown> };
/** Rows that leave the reason out accept any non-empty reason. */
const each = (name: string, result: IoCallResult, expected: Row['expected'], ops: IoOperation[] = ALL): Row[] =>
  ops.map((op) => ({ name: `${op}: ${name}`, op, result, expected }));
const containing = (...parts: string[]) => expect.stringMatching(new RegExp(parts.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[\\s\\S]*')));

// FACTS.md §3 (submit), §4 (profile), §5 (getMessage), §7 (429).
const table: Row[] = [
  ...each('201 created', response(201, { id: '01J0000000000000000000000A' }), { action: 'ok' }, ['submitMessage']),
  ...each('200', response(200, { sender_allowed: true }), { action: 'ok' }, ['getProfile', 'getMessage']),
  // §4: a 200 with sender_allowed false is still a transport-level success: the caller reads the body.
  ...each('200 sender_allowed false', response(200, { sender_allowed: false }), { action: 'ok' }, ['getProfile']),

  ...each(
    '429 with x-rate-limit-retry-after: 7',
    response(429, apim(429, 'Rate limit is exceeded. Try again in 7 seconds.'), { 'x-rate-limit-retry-after': '7' }),
    { action: 'rate_limited', retryAfterMs: 7000 },
  ),
  ...each('429 without a retry header: one full window', response(429, apim(429, 'Rate limit is exceeded. Try again in 5 seconds.')), {
    action: 'rate_limited',
    retryAfterMs: 5000,
  }),
  ...each('429 with x-rate-limit-retry-after: 0 waits at least a second', response(429, null, { 'x-rate-limit-retry-after': '0' }), {
    action: 'rate_limited',
    retryAfterMs: 1000,
  }),

  ...[500, 502, 503, 504].flatMap((s) => each(`${s}`, response(s, problem(s, 'The message cannot be delivered', 'storage error')), { action: 'retry', reason: containing(`${s}`) })),
  ...each('timeout', { kind: 'timeout' }, { action: 'retry', reason: containing('timed out') }),
  ...each('network error', { kind: 'network', message: 'ECONNRESET' }, { action: 'retry', reason: containing('ECONNRESET') }),

  ...each(
    '400 invalid message: IO title and detail kept',
    response(400, problem(400, 'Invalid message structure', 'value ["short"] at [root.content.subject] is not a valid [string of length >= 10]')),
    { action: 'fail', reason: containing('400', 'Invalid message structure', 'root.content.subject') },
    ['submitMessage'],
  ),
  ...each(
    '400 payment amount over the service maximum',
    response(400, problem(400, 'Error while sending payment metadata', 'amount exceeds max_allowed_payment_amount')),
    { action: 'fail', reason: containing('Error while sending payment metadata', 'max_allowed_payment_amount') },
    ['submitMessage'],
  ),

  ...each('401 invalid subscription key', response(401, apim(401, 'Access denied due to invalid subscription key.')), {
    action: 'key_refused',
    reason: containing('401', 'invalid subscription key'),
  }),

  ...each('403 Recipient forbidden', response(403, problem(403, 'Recipient forbidden', 'You are not allowed to issue requests for the recipient.')), {
    action: 'reject',
    reason: containing('Recipient forbidden'),
  }, ['getProfile', 'submitMessage']),
  ...each('403 You are not allowed here (IP not in authorized_cidrs)', response(403, problem(403, 'You are not allowed here', 'You do not have enough permission to complete the operation you requested')), {
    action: 'key_refused',
    reason: containing('You are not allowed here'),
  }),
  ...each('403 User has no valid scopes', response(403, problem(403, 'User has no valid scopes', 'missing group ApiMessageWrite')), {
    action: 'key_refused',
    reason: containing('no valid scopes'),
  }, ['submitMessage']),
  ...each('403 Production call forbidden', response(403, problem(403, 'Production call forbidden', 'limited mode')), { action: 'key_refused' }, ['submitMessage']),
  ...each('403 message of another service', response(403, problem(403, 'You are not allowed to read this message', 'you can only read messages that you have sent')), {
    action: 'key_refused',
  }, ['getMessage']),

  ...each('404 Profile not found', response(404, problem(404, 'Profile not found', 'The profile you requested was not found in the system.')), {
    action: 'reject',
    reason: containing('404'),
  }, ['getProfile']),
  ...each('404 message not found', response(404, problem(404, 'Message not found', 'no message with this id')), { action: 'fail', reason: containing('404') }, ['getMessage']),
  ...each('404 remote-content configuration not found', response(404, problem(404, 'Not found', 'configuration not found')), { action: 'fail' }, ['submitMessage']),
];

describe('classifyIoResult', () => {
  it.each(table)('$name', ({ op, result, expected }) => {
    const verdict = classifyIoResult(op, result);
    const want: Record<string, unknown> = { ...expected };
    if ('reason' in verdict && !('reason' in want)) want.reason = expect.any(String);
    expect(verdict).toEqual(want);
    if ('reason' in verdict) expect(verdict.reason.length).toBeGreaterThan(0);
  });

  it('the default wait after a 429 without a hint is one 5 s window (FACTS.md §7)', () => {
    expect(DEFAULT_RETRY_AFTER_MS).toBe(5000);
  });

  it('a 429 honours a Retry-After in seconds when APIM sends no x-rate-limit-retry-after', () => {
    expect(classifyIoResult('submitMessage', response(429, null, { 'retry-after': '12' }))).toEqual({ action: 'rate_limited', retryAfterMs: 12_000 });
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('Wed, 21 Oct 2026 07:28:00 GMT');

  it.each<[string, Record<string, string | string[] | undefined>, number | null]>([
    ['x-rate-limit-retry-after in seconds', { 'x-rate-limit-retry-after': '7' }, 7],
    ['x-rate-limit-retry-after wins over Retry-After', { 'x-rate-limit-retry-after': '7', 'retry-after': '30' }, 7],
    ['Retry-After alone', { 'retry-after': '30' }, 30],
    ['fractional seconds round up', { 'x-rate-limit-retry-after': '2.2' }, 3],
    ['surrounding blanks', { 'x-rate-limit-retry-after': ' 4 ' }, 4],
    ['repeated header: the first value', { 'x-rate-limit-retry-after': ['4', '9'] }, 4],
    ['HTTP-date 10 s ahead', { 'retry-after': 'Wed, 21 Oct 2026 07:28:10 GMT' }, 10],
    ['HTTP-date in the past', { 'retry-after': 'Wed, 21 Oct 2026 07:27:00 GMT' }, 0],
    ['junk x-rate-limit-retry-after falls back to Retry-After', { 'x-rate-limit-retry-after': 'soon', 'retry-after': '3' }, 3],
    ['no header', {}, null],
    ['empty header', { 'x-rate-limit-retry-after': '' }, null],
    ['blank header', { 'x-rate-limit-retry-after': '   ' }, null],
    ['undefined header', { 'x-rate-limit-retry-after': undefined }, null],
    ['junk: a word', { 'x-rate-limit-retry-after': 'soon' }, null],
    ['junk: a sentence', { 'retry-after': 'Try again in 7 seconds' }, null],
    ['junk: a unit', { 'retry-after': '5s' }, null],
  ])('%s', (_name, headers, expected) => {
    expect(parseRetryAfter(headers, now)).toBe(expected);
  });

  // V8's Date.parse accepts these as (legacy) dates in 2001, so they come back as 0 s instead of
  // null, and classifyIoResult then holds the account 1 s instead of the 5 s default.
  it.each<[string, string]>([
    ['a negative number', '-5'],
    ['a signed number', '+5'],
    ['a number with a comma', '5,5'],
    ['a fraction', '1/2'],
    ['a word and a number', 'later 3'],
  ])('junk that Date.parse accepts (%s: %s) is not a date either', (_name, value) => {
    expect(parseRetryAfter({ 'x-rate-limit-retry-after': value }, now), `parseRetryAfter read "${value}" as an HTTP date`).toBeNull();
  });
});

describe('retryAfterHeaderName', () => {
  it('names the two retry headers in any case, and nothing else', () => {
    const name = (h: string) => retryAfterHeaderName(Buffer.from(h, 'latin1'));
    expect(name('X-Rate-Limit-Retry-After')).toBe('x-rate-limit-retry-after');
    expect(name('retry-after')).toBe('retry-after');
    expect(name('Retry-Afterx')).toBeNull();
    expect(name('content-type')).toBeNull();
    expect(name('x-rate-limit-remaining')).toBeNull();
  });
});

describe('ioErrorText', () => {
  it.each<[string, unknown, string]>([
    ['APIM body: its message', apim(429, 'Rate limit is exceeded. Try again in 7 seconds.'), 'Rate limit is exceeded. Try again in 7 seconds.'],
    ['APIM 401', apim(401, 'Access denied due to invalid subscription key.'), 'Access denied due to invalid subscription key.'],
    ['ProblemJson: title and detail', problem(400, 'Invalid message structure', 'subject too short'), 'Invalid message structure: subject too short'],
    ['ProblemJson with title only', { title: 'Recipient forbidden', status: 403 }, 'Recipient forbidden'],
    ['ProblemJson with an empty detail', { title: 'Bad parameters', detail: '', status: 400 }, 'Bad parameters'],
    ['plain text body', 'upstream connect error', 'upstream connect error'],
    ['no body', null, 'no details'],
    ['undefined body', undefined, 'no details'],
    ['empty object', {}, 'no details'],
    ['empty string', '', 'no details'],
    ['non-string fields are ignored', { title: 42, message: { nested: true } }, 'no details'],
  ])('%s', (_name, body, expected) => {
    expect(ioErrorText(body)).toBe(expected);
  });

  it('is bounded to 500 characters', () => {
    expect(ioErrorText({ title: 'x'.repeat(400), detail: 'y'.repeat(400) })).toHaveLength(500);
    expect(ioErrorText('z'.repeat(10_000))).toHaveLength(500);
  });
});
