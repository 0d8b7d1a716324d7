/** /api/v1/batches: bulk sending. */
import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../deps.ts';
import { registerCreateBatch } from './create.ts';
import { registerReadBatches } from './read.ts';
import { registerBatchActions } from './actions.ts';

export function registerBatches(app: FastifyInstance, deps: ApiDeps) {
  registerCreateBatch(app, deps);
  registerReadBatches(app, deps);
  registerBatchActions(app, deps);
}
