/**
 * The pages of an ente, each registering its routes under /ente/<code>/ (the ente scope has
 * already checked the person's role on the ente; each page checks its action with requireAction).
 */
import type { FastifyInstance } from 'fastify';
import type { WebDeps } from '../deps.ts';
import { registerSendPage } from './send.ts';
import { registerMessagesPages } from './messages.ts';
import { registerBatchUploadPage } from './batch-upload.ts';
import { registerBatchPages } from './batches.ts';
import { registerApiKeyPages } from './api-keys.ts';
import { registerTemplatePages } from './templates.ts';

export type RegisterPage = (app: FastifyInstance, deps: WebDeps) => void | Promise<void>;

export const ENTE_PAGES: RegisterPage[] = [registerSendPage, registerMessagesPages, registerBatchUploadPage, registerBatchPages, registerApiKeyPages, registerTemplatePages];
