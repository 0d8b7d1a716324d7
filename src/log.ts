/**
 * Logging. Log lines never carry a full fiscal code or a key: code logs masked values only
 * (domain/fiscal-code.ts maskFiscalCode, domain/secret-mask.ts), and pino redacts the headers
 * that carry keys in case a request object is ever logged.
 */
import pino, { type Logger, type DestinationStream } from 'pino';

export type { Logger };

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["ocp-apim-subscription-key"]',
  'headers.authorization',
  'headers["ocp-apim-subscription-key"]',
  '*.fiscal_code',
  '*.primaryKey',
  '*.secondaryKey',
  '*.key',
];

/** A request as logged: the path without its query string, which may carry a fiscal code. */
function requestSerializer(req: { method?: string; url?: string; id?: string; ip?: string }) {
  return { method: req.method, path: req.url?.split('?')[0], remoteAddress: req.ip };
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: { app: 'genio' },
      serializers: { req: requestSerializer, err: pino.stdSerializers.err },
    },
    destination,
  );
}
