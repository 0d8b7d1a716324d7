/** The shapes of the templates API, one TypeBox schema each (validation structure, OpenAPI, serialization). */
import { Type, type Static } from '@sinclair/typebox';
import { PLACEHOLDER_TYPES } from '../../domain/template.ts';

export const PlaceholderSchema = Type.Object(
  {
    name: Type.String({ description: 'Lower case letters, digits and _; used as {{name}} and as the CSV column name', examples: ['scadenza'] }),
    type: Type.Unsafe<string>({ type: 'string', enum: [...PLACEHOLDER_TYPES], description: 'How the value is checked and formatted' }),
    required: Type.Optional(Type.Boolean({ default: true })),
    pattern: Type.Optional(Type.Union([Type.String({ description: 'A regular expression the whole value must match' }), Type.Null()])),
    description: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  },
  { additionalProperties: false },
);

const definitionFields = {
  name: Type.String({ description: 'A name the ente recognises', examples: ['Avviso TARI'] }),
  subject: Type.String({ description: 'Plain text with {{placeholders}}; 10–120 characters once rendered' }),
  markdown: Type.String({ description: 'Markdown with {{placeholders}}; 80–10 000 characters once rendered' }),
  placeholders: Type.Array(PlaceholderSchema),
};

export const NewTemplateSchema = Type.Object(
  { service: Type.String({ description: "The service's code" }), ...definitionFields },
  { additionalProperties: false },
);

export const TemplateEditSchema = Type.Object(definitionFields, { additionalProperties: false });

export const TemplateSchema = Type.Object(
  {
    id: Type.String(),
    service: Type.String(),
    name: Type.String(),
    version: Type.Integer({ description: 'Every edit makes a new version; messages and batches record the one they used' }),
    subject: Type.String(),
    markdown: Type.String(),
    placeholders: Type.Array(
      Type.Object({
        name: Type.String(),
        type: Type.String(),
        required: Type.Boolean(),
        pattern: Type.Union([Type.String(), Type.Null()]),
        description: Type.Union([Type.String(), Type.Null()]),
      }),
    ),
    created_at: Type.String(),
    updated_at: Type.String(),
  },
  { $id: 'Template' },
);
export type TemplateView = Static<typeof TemplateSchema>;

export const TemplateIdParams = Type.Object({ id: Type.String({ pattern: '^[0-9A-HJKMNP-TV-Z]{26}$', description: 'Template id' }) });
export const TemplateVersionQuery = Type.Object({ version: Type.Optional(Type.Integer({ minimum: 1 })) }, { additionalProperties: false });
