/**
 * Contract check of a request GeNIO sends to IO, against IO's own published specs (vendored in
 * `spec/io/`, see its SOURCES.md). Independent of the simulator on purpose: the simulator encodes
 * our reading of IO's code, this encodes IO's published contract; a request must satisfy both.
 *
 * Beyond the schema, it reports body properties the schema does not know: IO's `Exact` decoding
 * drops them silently (FACTS.md §3), which would hide a GeNIO bug (a misspelt `due_date` simply
 * disappears).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';

export interface IoRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

type Json = Record<string, unknown>;

interface Spec {
  id: string;
  basePath: string;
  doc: Json;
  definitions: Json;
}

// Formats IO's generated codecs give meaning to (pagopa/io-ts-commons strings.ts / dates.ts, FACTS.md §10).
const IO_FORMATS: Record<string, RegExp | ((s: string) => boolean)> = {
  FiscalCode: /^[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$/,
  OrganizationFiscalCode: /^[0-9]{11}$/,
  Ulid: /^[0-9A-HJKMNP-TV-Z]{26}$/,
  EmailString: /^[^\s@]+@[^\s@]+\.[^\s@]+$/,
  UTCISODateFromString: (s) =>
    (/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z?$/.test(s) || /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?[+-]\d{2}:\d{2}$/.test(s)) &&
    !Number.isNaN(new Date(s).getTime()),
};

const SPEC_DIR = fileURLToPath(new URL('../../spec/io/', import.meta.url));
const ajv = new Ajv({ strict: false, allErrors: true, logger: false });
(addFormatsModule as unknown as { default: (a: Ajv) => void }).default(ajv);
for (const [name, check] of Object.entries(IO_FORMATS)) ajv.addFormat(name, check);

const messagesSpec = loadSpec('messages.yaml', 'io-messages');
const servicesSpec = loadSpec('services.yaml', 'io-services');
const compiled = new Map<unknown, ValidateFunction>();

/** Problems with a request to IO; an empty list means it is valid. */
export function validateIoRequest(req: IoRequest): string[] {
  const problems: string[] = [];
  const pathname = req.path.split('?', 1)[0];
  const spec = pathname.startsWith('/api/v1/messages') ? messagesSpec : servicesSpec;
  const found = findOperation(spec, req.method, pathname);
  if (!found) return [`no operation ${req.method.toUpperCase()} ${pathname} in ${spec.id}`];
  const { pathParams, parameters } = found;

  // Every IO operation is secured by SubscriptionKey (both specs' securityDefinitions, FACTS.md §1).
  if (!headerValue(req.headers, 'ocp-apim-subscription-key')) problems.push('missing header Ocp-Apim-Subscription-Key');
  for (const p of parameters.filter((x) => x.in === 'path')) {
    const name = String(p.name);
    const value = pathParams[name];
    const errors = check(p, () => {
      const { name: _n, in: _i, required: _r, description: _d, ...schema } = p;
      return convert(schema, spec.id);
    }, value);
    for (const e of errors) problems.push(`path parameter ${name} ${JSON.stringify(value)}${e}`);
  }
  const bodyParam = parameters.find((x) => x.in === 'body');
  if (bodyParam) {
    checkBody(spec, bodyParam.schema as Json, req, problems);
  } else if (req.body !== undefined && req.body !== '') {
    problems.push('operation takes no body');
  }
  return problems;
}

function checkBody(spec: Spec, schema: Json, req: IoRequest, problems: string[]): void {
  if (req.body === undefined) {
    problems.push('missing JSON body');
    return;
  }
  const type = headerValue(req.headers, 'content-type');
  if (!type || type.split(';', 1)[0].trim().toLowerCase() !== 'application/json') problems.push(`content-type must be application/json, got ${JSON.stringify(type)}`);
  for (const e of check(schema, () => convert(schema, spec.id), req.body)) problems.push(`body${e}`);
  unknownProperties(spec, schema, req.body, 'body', problems);
}

/** Validates against the JSON schema made from a spec object, compiled once per spec object. */
function check(specObject: Json, toSchema: () => Json, value: unknown): string[] {
  let validate = compiled.get(specObject);
  if (!validate) {
    validate = ajv.compile(toSchema());
    compiled.set(specObject, validate);
  }
  if (validate(value)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? 'is invalid'}${e.params && 'allowedValues' in e.params ? ` ${JSON.stringify(e.params.allowedValues)}` : ''}`);
}

/** Walks the body alongside the schema (through $ref and allOf) and reports properties it does not declare. */
function unknownProperties(spec: Spec, schema: Json, value: unknown, path: string, problems: string[]): void {
  if (Array.isArray(value)) {
    const items = deref(spec, schema).items as Json | undefined;
    if (items) value.forEach((v, i) => unknownProperties(spec, items, v, `${path}/${i}`, problems));
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  const known = new Map<string, Json[]>();
  const declaresObject = collectProperties(spec, schema, known);
  if (!declaresObject) return;
  for (const [key, v] of Object.entries(value)) {
    const subs = known.get(key);
    if (!subs) problems.push(`${path}/${key} is not a property IO knows (IO drops it silently)`);
    else for (const sub of subs) unknownProperties(spec, sub, v, `${path}/${key}`, problems);
  }
}

/** Gathers declared properties of an object schema; false when the schema does not describe an object's properties. */
function collectProperties(spec: Spec, schema: Json, out: Map<string, Json[]>): boolean {
  const s = deref(spec, schema);
  let declares = false;
  for (const key of ['allOf', 'anyOf', 'oneOf']) {
    const parts = s[key];
    if (Array.isArray(parts)) for (const part of parts) declares = collectProperties(spec, part as Json, out) || declares;
  }
  const props = s.properties as Json | undefined;
  if (props && s.additionalProperties === undefined) {
    declares = true;
    for (const [k, v] of Object.entries(props)) out.set(k, [...(out.get(k) ?? []), v as Json]);
  }
  return declares;
}

function deref(spec: Spec, schema: Json): Json {
  let s = schema;
  for (let guard = 0; typeof s.$ref === 'string' && guard < 20; guard++) {
    s = spec.definitions[String(s.$ref).replace('#/definitions/', '')] as Json;
  }
  return s;
}

function findOperation(spec: Spec, method: string, pathname: string) {
  if (!pathname.startsWith(spec.basePath)) return undefined;
  const rel = pathname.slice(spec.basePath.length) || '/';
  const paths = spec.doc.paths as Record<string, Json>;
  for (const [template, item] of Object.entries(paths)) {
    const names: string[] = [];
    const pattern = template.replace(/\{([^}]+)\}/g, (_m, name: string) => {
      names.push(name);
      return '([^/]+)';
    });
    const m = new RegExp(`^${pattern}$`).exec(rel);
    const operation = item[method.toLowerCase()] as Json | undefined;
    if (!m || !operation) continue;
    const pathParams: Record<string, string> = {};
    names.forEach((n, i) => (pathParams[n] = safeDecode(m[i + 1])));
    const raw = [...((item.parameters as Json[]) ?? []), ...((operation.parameters as Json[]) ?? [])];
    const parameters = raw.map((p) => (typeof p.$ref === 'string' ? ((spec.doc.parameters as Json)[p.$ref.replace('#/parameters/', '')] as Json) : p));
    return { operation, pathParams, parameters };
  }
  return undefined;
}

function headerValue(headers: IoRequest['headers'], name: string): string | undefined {
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name) return Array.isArray(v) ? v[0] : v;
  return undefined;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function loadSpec(file: string, id: string): Spec {
  const doc = parse(readFileSync(`${SPEC_DIR}${file}`, 'utf8')) as Json;
  const definitions = doc.definitions as Json;
  ajv.addSchema({ $id: id, definitions: mapValues(definitions, id) });
  return { id, basePath: String(doc.basePath), doc, definitions };
}

/**
 * Swagger 2 schema → JSON schema for ajv: `x-extensible-enum` becomes `enum` (IO's generated
 * codecs are closed enums), `x-one-of` allOf becomes anyOf, draft-4 boolean exclusiveMaximum
 * becomes numeric, other `x-*` and `example` annotations go, refs point into the spec document.
 */
function convert(node: unknown, id: string): Json {
  return convertAny(node, id) as Json;
}

/** Maps of names to schemas: the names are data, never keywords to drop. */
function mapValues(map: Json, id: string): Json {
  return Object.fromEntries(Object.entries(map).map(([k, v]) => [k, convertAny(v, id)]));
}

function convertAny(node: unknown, id: string): unknown {
  if (Array.isArray(node)) return node.map((n) => convertAny(n, id));
  if (typeof node !== 'object' || node === null) return node;
  const src = node as Json;
  const out: Json = {};
  for (const [key, value] of Object.entries(src)) {
    if (key === 'properties' || key === 'definitions') out[key] = mapValues(value as Json, id);
    else if (key === 'x-extensible-enum') out.enum = value;
    else if (key === '$ref' && typeof value === 'string' && value.startsWith('#/')) out.$ref = `${id}${value}`;
    else if (key.startsWith('x-') || key === 'example') continue;
    else out[key] = convertAny(value, id);
  }
  if (src['x-one-of'] === true && Array.isArray(out.allOf)) {
    out.anyOf = out.allOf;
    delete out.allOf;
  }
  for (const [flag, bound] of [['exclusiveMaximum', 'maximum'], ['exclusiveMinimum', 'minimum']] as const) {
    if (typeof out[flag] === 'boolean') {
      if (out[flag] === true && typeof out[bound] === 'number') out[flag] = out[bound];
      else delete out[flag];
      if (out[flag] !== undefined) delete out[bound];
    }
  }
  return out;
}
