/**
 * The simulator's state as the operation handlers see it, and the request they handle
 * (already authenticated and admitted by the rate limiter).
 */
import type { CitizenRegistry } from './citizens.ts';
import type { MessageStore } from './messages.ts';
import type { ResolvedOptions } from './options.ts';
import type { ServiceRegistry } from './services.ts';
import type { SimService } from './types.ts';

export interface SimCore {
  options: ResolvedOptions;
  services: ServiceRegistry;
  citizens: CitizenRegistry;
  messages: MessageStore;
}

export interface OperationRequest {
  /** The service the subscription key belongs to. */
  service: SimService;
  /** Parsed JSON body; undefined when absent, not JSON, or not sent as `application/json`. */
  body: unknown;
  pathFiscalCode?: string;
  messageId?: string;
  clientIp?: string;
  /** Monotonic ms (performance.now()). */
  now: number;
}
