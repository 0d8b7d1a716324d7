/** Invio massivo (to be built). */
import type { FastifyInstance } from 'fastify';
import type { WebDeps } from '../deps.ts';

export function registerBatchPages(_app: FastifyInstance, _deps: WebDeps): void {}
