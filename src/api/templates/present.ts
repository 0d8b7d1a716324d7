import type { Template } from '../../store/templates.ts';
import type { TemplateView } from './schemas.ts';

export function presentTemplate(t: Template, serviceCode: string): TemplateView {
  return {
    id: t.id,
    service: serviceCode,
    name: t.name,
    version: t.version,
    subject: t.definition.subject,
    markdown: t.definition.markdown,
    placeholders: t.definition.placeholders,
    created_at: new Date(t.createdAt).toISOString(),
    updated_at: new Date(t.updatedAt).toISOString(),
  };
}
