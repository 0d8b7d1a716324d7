/** Modelli (to be built). */
import type { FastifyInstance } from 'fastify';
import type { WebDeps } from '../deps.ts';

export function registerTemplatePages(_app: FastifyInstance, _deps: WebDeps): void {}
