/**
 * `genio template …`: an ente's templates through the public API, as any client manages them.
 * A definition is a JSON file shaped as the API's body: {service, name, subject, markdown, placeholders}.
 */
import fs from 'node:fs';
import { CliError, UsageError } from '../admin/errors.ts';
import type { Output } from '../admin/output.ts';
import { apiClient, problemMessage } from './api-client.ts';

export interface TemplateOptions {
  file?: string;
  version?: string;
  url?: string;
  'api-key'?: string;
}

const USAGE = 'usage: genio template list | show <id> [--version N] | create --file <definition.json> | update <id> --file <definition.json> | delete <id> | sample <id>';

function readDefinition(file: string | undefined): unknown {
  if (!file) throw new UsageError(['--file <definition.json> is required']);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new UsageError([`--file: cannot read ${file}`]);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError([`--file: ${file} is not valid JSON (${(err as Error).message})`]);
  }
}

export async function templateCommand(action: string | undefined, id: string | undefined, values: TemplateOptions, env: NodeJS.ProcessEnv, out: Output): Promise<void> {
  const needsId = ['show', 'update', 'delete', 'sample'];
  if (!action || ![...needsId, 'list', 'create'].includes(action) || (needsId.includes(action) && !id)) throw new UsageError([USAGE]);
  const client = apiClient(values, env, out);
  const call = async (method: string, path: string, body?: unknown, ok = 200) => {
    const r = await client.call(method, path, body);
    if (r.status !== ok) throw new CliError(problemMessage(r));
    return r;
  };
  switch (action) {
    case 'list': {
      const { body } = await call('GET', '/api/v1/templates');
      for (const t of body.items) out.line(`${t.id}  v${t.version}  ${t.service}  ${t.name}  {{${t.placeholders.map((p: { name: string }) => p.name).join('}} {{')}}}`);
      return;
    }
    case 'show': {
      const { body } = await call('GET', `/api/v1/templates/${id}${values.version ? `?version=${encodeURIComponent(values.version)}` : ''}`);
      out.line(JSON.stringify(body, null, 2));
      return;
    }
    case 'create': {
      const { body } = await call('POST', '/api/v1/templates', readDefinition(values.file), 201);
      out.line(`template ${body.id} created (version ${body.version})`);
      out.line(body.id);
      return;
    }
    case 'update': {
      const def = readDefinition(values.file) as Record<string, unknown>;
      const { service: _service, ...edit } = def;
      const { body } = await call('PUT', `/api/v1/templates/${id}`, edit);
      out.line(`template ${body.id} is now version ${body.version}`);
      return;
    }
    case 'delete':
      await call('DELETE', `/api/v1/templates/${id}`, undefined, 204);
      out.line(`template ${id} deleted`);
      return;
    case 'sample': {
      const r = await call('GET', `/api/v1/templates/${id}/sample.csv`);
      process.stdout.write(r.text);
      return;
    }
  }
}
