/**
 * The CLI's commands that act as an ente (send, templates) go through GeNIO's public API like any
 * other client: the same checks, the same code path. URL and key from options or the environment;
 * with neither, the demo key that `npm start` leaves in ./data is used, so a newcomer's first
 * `genio send` just works against the local GeNIO.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CliError } from '../admin/errors.ts';
import type { Output } from '../admin/output.ts';

export interface ApiClient {
  url: string;
  call(method: string, p: string, body?: unknown): Promise<{ status: number; body: any; text: string }>;
  upload(p: string, fields: Record<string, string>, file: { name: string; path: string }): Promise<{ status: number; body: any; text: string }>;
}

export function apiClient(values: { url?: string; 'api-key'?: string }, env: NodeJS.ProcessEnv, out: Output): ApiClient {
  const url = (values.url ?? env.GENIO_URL ?? 'http://localhost:3000').replace(/\/+$/, '');
  let key = values['api-key'] ?? env.GENIO_API_KEY;
  if (!key) {
    const demo = path.resolve(env.GENIO_DATA_DIR?.trim() || './data', 'demo-api-key.txt');
    if (fs.existsSync(demo)) {
      key = fs.readFileSync(demo, 'utf8').trim();
      out.warn(`(using the demo API key of npm start, from ${demo}; set GENIO_API_KEY for another)`);
    }
  }
  if (!key) throw new CliError('an API key is needed: --api-key <key> or GENIO_API_KEY', 2);
  const auth = { authorization: `Bearer ${key}` };
  const answer = async (res: Response) => {
    const text = await res.text();
    let body: unknown = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = null;
    }
    return { status: res.status, body, text };
  };
  const reach = async (p: string, init: RequestInit) => {
    try {
      return await fetch(url + p, init);
    } catch (err) {
      throw new CliError(`cannot reach GeNIO at ${url} (${(err as Error).cause ? String((err as { cause: Error }).cause.message) : (err as Error).message}): is it running? (--url, GENIO_URL)`);
    }
  };
  return {
    url,
    call: async (method, p, body) =>
      answer(await reach(p, { method, headers: { ...auth, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, body: body === undefined ? undefined : JSON.stringify(body) })),
    upload: async (p, fields, file) => {
      const form = new FormData();
      for (const [k, v] of Object.entries(fields)) form.append(k, v);
      form.append('file', await fs.openAsBlob(file.path), file.name);
      return answer(await reach(p, { method: 'POST', headers: auth, body: form }));
    },
  };
}

/** A problem+json answer as one message a person can act on: the detail and every field error. */
export function problemMessage(r: { status: number; body: any; text: string }): string {
  const b = r.body;
  if (!b || typeof b !== 'object') return `GeNIO answered ${r.status}: ${r.text.slice(0, 300)}`;
  const errors = Array.isArray(b.errors) ? b.errors.map((e: { field: string; message: string }) => `\n  ${e.field}: ${e.message}`).join('') : '';
  return `${b.title ?? `GeNIO answered ${r.status}`}${b.detail ? `: ${b.detail}` : ''}${errors}`;
}
