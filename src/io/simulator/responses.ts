/**
 * The two error shapes IO clients meet (FACTS.md §3 "Submit responses"):
 * - APIM's own errors (401, 404 route, 429): `{"statusCode": n, "message": "..."}`, plain JSON;
 * - backend errors: RFC 7807 ProblemJson `{detail, status, title}` as `application/problem+json`.
 *   io-ts-commons `ResponseErrorGeneric` passes `type: undefined`, so real IO bodies carry no `type`.
 */

/** What a handler answers; the server turns it into bytes (and may delay it). */
export interface Reply {
  status: number;
  body?: unknown;
  contentType?: string;
  headers?: Record<string, string>;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const PROBLEM_TYPE = 'application/problem+json; charset=utf-8';

/** Texts of APIM and backend errors, verbatim from IO (errori-comuni page, io-ts-commons, io-messages). */
export const TEXT = {
  invalidKey: 'Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.',
  missingKey: 'Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.',
  notFound: 'Resource not found',
  recipientForbidden: ['Recipient forbidden', 'You are not allowed to issue requests for the recipient.'],
  notAllowedHere: 'You are not allowed here',
  notAllowedHereDetail: 'You do not have enough permission to complete the operation you requested',
  profileNotFound: ['Profile not found', 'The profile you requested was not found in the system.'],
  messageNotFound: ['Message not found', 'The message that you requested was not found in the system.'],
  notYourMessage: 'You are not allowed to read this message, you can only read messages that you have sent',
} as const;

export function json(status: number, body: unknown, headers?: Record<string, string>): Reply {
  return { status, body, contentType: JSON_TYPE, headers };
}

/** APIM gateway error (no charset: APIM writes its own body). */
export function apimError(status: number, message: string, headers?: Record<string, string>): Reply {
  return { status, body: { statusCode: status, message }, contentType: 'application/json', headers };
}

export function problem(status: number, title: string, detail: string): Reply {
  return { status, body: { detail, status, title }, contentType: PROBLEM_TYPE };
}

/** `getResponseErrorForbiddenNotAuthorized(detail)`: the 403 of missing permission groups. */
export function forbidden(detail: string = TEXT.notAllowedHereDetail): Reply {
  return problem(403, TEXT.notAllowedHere, detail);
}

export function recipientForbidden(): Reply {
  return problem(403, TEXT.recipientForbidden[0], TEXT.recipientForbidden[1]);
}

export function created(location: string, body: unknown): Reply {
  return json(201, body, { location });
}

export function problemInternal(detail: string): Reply {
  return problem(500, 'Internal server error', detail);
}
