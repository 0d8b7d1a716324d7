/**
 * `genio admin create-api-key`, `list-api-keys`, `revoke-api-key`. GeNIO keeps only a hash of an
 * API key, so creation is the one moment the key exists in clear: it is printed alone on the
 * last line of stdout, for a script to capture with `tail -n 1`.
 */
import { createApiKey, listApiKeys, revokeApiKey, apiKeyServiceIds, type ApiKey } from '../store/api-keys.ts';
import { findServiceByCode, listServices } from '../store/services.ts';
import { listEnti } from '../store/enti.ts';
import { findEnteOrFail, optionalEnteId, requireMasterKey, type AdminContext } from './context.ts';
import { CliError } from './errors.ts';
import { formatTable, formatTime, yesNo } from './table.ts';
import { OptionChecker } from './validate.ts';

export interface CreateApiKeyOptions {
  ente?: string;
  services?: string;
  'callback-url'?: string;
  sandbox?: boolean;
}

export async function createApiKeyCommand(ctx: AdminContext, opts: CreateApiKeyOptions): Promise<{ apiKey: ApiKey; key: string }> {
  const check = new OptionChecker();
  const enteFc = check.enteFiscalCode('--ente', opts.ente);
  const codes = check.serviceCodes('--services', opts.services);
  const callbackUrl = check.httpUrl('--callback-url', opts['callback-url']);
  check.done();
  // Only a callback secret is encrypted: a plain key can be issued without GENIO_MASTER_KEY.
  const masterKey = callbackUrl ? requireMasterKey(ctx, 'to store the callback signing secret encrypted') : (ctx.masterKey ?? null);

  const ente = await findEnteOrFail(ctx, '--ente', enteFc!);
  let serviceIds: string[] | null = null;
  if (codes) {
    const found = await Promise.all(codes.map((c) => findServiceByCode(ctx.database.db, ente.id, c)));
    const unknown = codes.filter((_, i) => !found[i]);
    if (unknown.length) throw new CliError(`--services: ente ${ente.fiscal_code} has no service ${unknown.map((c) => `"${c}"`).join(', ')} (see genio admin list-services --ente ${ente.fiscal_code})`);
    serviceIds = found.map((s) => s!.id);
  }
  const created = await createApiKey(ctx.database.db, masterKey, { enteId: ente.id, serviceIds, callbackUrl: callbackUrl ?? null, sandbox: !!opts.sandbox }, ctx.now?.());
  const { out } = ctx;
  out.line('API key created');
  out.line(`  id:       ${created.apiKey.id}`);
  out.line(`  prefix:   ${created.apiKey.prefix}`);
  out.line(`  ente:     ${ente.name} (${ente.fiscal_code})`);
  out.line(`  services: ${codes ? codes.join(', ') : "all of the ente's services"}`);
  out.line(`  sandbox:  ${opts.sandbox ? 'yes: messages go to the IO simulator, never to IO' : 'no'}`);
  if (created.callbackSecret) {
    out.line(`  callback: ${callbackUrl}`);
    out.line(`  callback signing secret (shown once, give it to the ente now): ${created.callbackSecret}`);
  }
  out.line('The key follows on the last line. GeNIO keeps only its hash: it cannot be shown again.');
  out.line(created.key);
  return { apiKey: created.apiKey, key: created.key };
}

export async function listApiKeysCommand(ctx: AdminContext, opts: { ente?: string }): Promise<void> {
  const enteId = await optionalEnteId(ctx, opts.ente);
  const keys = await listApiKeys(ctx.database.db, enteId);
  if (!keys.length) {
    ctx.out.line('No API keys yet: create one with genio admin create-api-key --ente <fiscal code>');
    return;
  }
  const enti = new Map((await listEnti(ctx.database.db)).map((e) => [e.id, e.fiscal_code]));
  const codes = new Map((await listServices(ctx.database.db)).map((s) => [s.id, s.code]));
  const rows = keys.map((k) => {
    const ids = apiKeyServiceIds(k);
    return [
      k.id,
      k.prefix,
      enti.get(k.ente_id) ?? k.ente_id,
      ids ? ids.map((id) => codes.get(id) ?? id).join(',') : 'all',
      yesNo(k.sandbox),
      formatTime(k.created_at),
      formatTime(k.last_used_at),
      formatTime(k.revoked_at),
    ];
  });
  for (const line of formatTable(['ID', 'PREFIX', 'ENTE', 'SERVICES', 'SANDBOX', 'CREATED', 'LAST USED', 'REVOKED'], rows)) ctx.out.line(line);
}

/** Revokes by id or visible prefix; an unknown or already revoked key is an error, so a typo never passes silently. */
export async function revokeApiKeyCommand(ctx: AdminContext, idOrPrefix: string | undefined): Promise<number> {
  const check = new OptionChecker();
  const target = check.required('<id or prefix>', idOrPrefix, 'the id or prefix of the key, from genio admin list-api-keys');
  check.done();
  const matching = (await listApiKeys(ctx.database.db)).filter((k) => k.id === target || k.prefix === target);
  if (!matching.length) throw new CliError(`no API key has id or prefix "${target}" (see genio admin list-api-keys)`);
  const live = matching.filter((k) => k.revoked_at === null);
  if (!live.length) throw new CliError(`API key "${target}" is already revoked (since ${formatTime(matching[0].revoked_at)})`);
  const n = await revokeApiKey(ctx.database.db, target!, ctx.now?.());
  for (const k of live) ctx.out.line(`Revoked API key ${k.prefix} (id ${k.id}): requests with it are refused from now on`);
  return n;
}
