/**
 * /api/v1/templates: an ente's message templates, per service. A key restricted to some services
 * sees and edits only their templates; another ente's template is a 404 like any missing one.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { FieldError } from '../../domain/field-error.ts';
import { checkTemplateDefinition, checkTemplateName } from '../../domain/template.ts';
import { createTemplate, deleteTemplate, listTemplates, updateTemplate } from '../../store/templates.ts';
import { findVisibleTemplate } from './find.ts';
import { findServiceByCode } from '../../store/services.ts';
import { sampleCsv } from '../../ingest/sample-csv.ts';
import { mayUseService } from '../auth.ts';
import { fieldErrorsFromValidation, ProblemSchema, sendProblem } from '../problems.ts';
import type { ApiDeps } from '../deps.ts';
import { serviceCodes } from '../messages/read.ts';
import { NewTemplateSchema, TemplateEditSchema, TemplateIdParams, TemplateSchema, TemplateVersionQuery } from './schemas.ts';
import { presentTemplate } from './present.ts';

export function registerTemplates(app: FastifyInstance, deps: ApiDeps) {
  const db = deps.database.db;
  const notFound = (reply: FastifyReply, id: string) => sendProblem(reply, 'not_found', `No template ${id}`);

  app.post(
    '/api/v1/templates',
    {
      attachValidation: true,
      schema: {
        summary: 'Create a template',
        description: 'Placeholders are written `{{name}}` and declared with a type; IO limits are checked on every rendered message.',
        tags: ['templates'],
        body: NewTemplateSchema,
        response: { 201: TemplateSchema, 400: ProblemSchema, 401: ProblemSchema },
      },
    },
    async (request, reply) => {
      const body = (request.body ?? {}) as Record<string, unknown>;
      const errors: FieldError[] = fieldErrorsFromValidation(request.validationError?.validation).filter((e) => e.code === 'unknown_field');
      const service = typeof body.service === 'string' ? await findServiceByCode(db, request.auth.enteId, body.service.trim()) : undefined;
      if (!service || !mayUseService(request.auth, service.id)) {
        errors.push({ field: 'service', code: body.service === undefined ? 'required' : 'unknown_service', message: `this API key has no service "${String(body.service ?? '')}"` });
      }
      const name = checkTemplateName(errors, body.name);
      const def = checkTemplateDefinition({ subject: body.subject, markdown: body.markdown, placeholders: body.placeholders });
      if (!def.ok) errors.push(...def.errors);
      if (errors.length || !def.ok || !service || !name) return sendProblem(reply, 'validation_failed', `${errors.length} field(s) are invalid`, errors);
      const t = await createTemplate(db, { enteId: request.auth.enteId, serviceId: service.id, name, definition: def.value });
      return reply.code(201).header('location', `/api/v1/templates/${t.id}`).send(presentTemplate(t, service.code));
    },
  );

  app.get(
    '/api/v1/templates',
    { schema: { summary: 'List templates', tags: ['templates'], response: { 200: Type.Object({ items: Type.Array(TemplateSchema) }), 401: ProblemSchema } } },
    async (request) => {
      const codes = await serviceCodes(deps, request.auth.enteId);
      const items = await listTemplates(db, request.auth.enteId, request.auth.serviceIds);
      return { items: items.map((t) => presentTemplate(t, codes.get(t.serviceId) ?? '')) };
    },
  );

  app.get(
    '/api/v1/templates/:id',
    {
      schema: {
        summary: 'A template, at its current version or `?version=`',
        tags: ['templates'],
        params: TemplateIdParams,
        querystring: TemplateVersionQuery,
        response: { 200: TemplateSchema, 401: ProblemSchema, 404: ProblemSchema },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const { version } = request.query as { version?: number };
      const t = await findVisibleTemplate(deps, request.auth, id, version);
      if (!t) return notFound(reply, id);
      return presentTemplate(t, (await serviceCodes(deps, request.auth.enteId)).get(t.serviceId) ?? '');
    },
  );

  app.put(
    '/api/v1/templates/:id',
    {
      attachValidation: true,
      schema: {
        summary: 'Edit a template: a new version',
        tags: ['templates'],
        params: TemplateIdParams,
        body: TemplateEditSchema,
        response: { 200: TemplateSchema, 400: ProblemSchema, 401: ProblemSchema, 404: ProblemSchema },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const current = await findVisibleTemplate(deps, request.auth, id);
      if (!current) return notFound(reply, id);
      const body = (request.body ?? {}) as Record<string, unknown>;
      const errors: FieldError[] = fieldErrorsFromValidation(request.validationError?.validation).filter((e) => e.code === 'unknown_field');
      const name = checkTemplateName(errors, body.name);
      const def = checkTemplateDefinition({ subject: body.subject, markdown: body.markdown, placeholders: body.placeholders });
      if (!def.ok) errors.push(...def.errors);
      if (errors.length || !def.ok || !name) return sendProblem(reply, 'validation_failed', `${errors.length} field(s) are invalid`, errors);
      const t = await updateTemplate(db, request.auth.enteId, id, { name, definition: def.value });
      if (!t) return notFound(reply, id);
      return presentTemplate(t, (await serviceCodes(deps, request.auth.enteId)).get(t.serviceId) ?? '');
    },
  );

  app.delete(
    '/api/v1/templates/:id',
    {
      schema: {
        summary: 'Delete a template',
        description: 'It can no longer be used; messages and batches that used it keep naming its version.',
        tags: ['templates'],
        params: TemplateIdParams,
        response: { 204: Type.Null(), 401: ProblemSchema, 404: ProblemSchema },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const t = await findVisibleTemplate(deps, request.auth, id);
      if (!t || !(await deleteTemplate(db, request.auth.enteId, id))) return notFound(reply, id);
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/v1/templates/:id/sample.csv',
    {
      schema: {
        summary: 'A ready-to-fill CSV for this template',
        description: 'UTF-8 with BOM, `;`-separated (as Italian Excel expects), with the right header and one example row.',
        tags: ['templates'],
        params: TemplateIdParams,
        produces: ['text/csv'],
        response: { 200: Type.String(), 401: ProblemSchema, 404: ProblemSchema },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const t = await findVisibleTemplate(deps, request.auth, id);
      if (!t) return notFound(reply, id);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="modello-${t.id}.csv"`)
        .send(sampleCsv(t.definition));
    },
  );
}
