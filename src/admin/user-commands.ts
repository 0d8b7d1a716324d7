/**
 * `genio admin grant`, `revoke` and `list-users`: who may use the web UI, and for which ente.
 * Roles: `viewer` (reads), `sender` (also sends), `manager` (also API keys and templates) on one
 * ente; `admin` on the whole aggregator. Fiscal codes are shown masked, as everywhere GeNIO prints.
 */
import { maskFiscalCode } from '../domain/fiscal-code.ts';
import { listEnti } from '../store/enti.ts';
import type { UserRole } from '../store/schema.ts';
import { ALL_ENTI, grantRole, listGrants, revokeRole } from '../store/users.ts';
import { findEnteOrFail, type AdminContext } from './context.ts';
import { CliError } from './errors.ts';
import { formatTable, formatTime } from './table.ts';
import { OptionChecker } from './validate.ts';

export const ROLES = ['viewer', 'sender', 'manager', 'admin'] as const satisfies readonly UserRole[];

export interface GrantOptions {
  'fiscal-code'?: string;
  ente?: string;
  role?: string;
  name?: string;
}

/** `--ente` for an ente's role; none for admin, which covers every ente. */
function checkScope(check: OptionChecker, role: UserRole | undefined, ente: string | undefined): string | undefined {
  if (role === 'admin') {
    if (ente !== undefined) check.problem('--ente', 'admin covers every ente of the aggregator: leave --ente out');
    return undefined;
  }
  return check.enteFiscalCode('--ente', ente);
}

export async function grantCommand(ctx: AdminContext, opts: GrantOptions): Promise<void> {
  const check = new OptionChecker();
  const fiscalCode = check.personFiscalCode('--fiscal-code', opts['fiscal-code']);
  const role = opts.role === undefined ? check.problem('--role', `is required (${ROLES.join(', ')})`) : check.oneOf('--role', opts.role, ROLES, 'viewer');
  const enteCode = checkScope(check, role, opts.ente);
  const name = opts.name === undefined ? null : check.name('--name', opts.name) ?? null;
  check.done();
  const ente = role === 'admin' ? null : await findEnteOrFail(ctx, '--ente', enteCode!);
  const { user, previous } = await grantRole(ctx.database.db, { fiscalCode: fiscalCode!, name, enteId: ente?.id ?? ALL_ENTI, role: role! }, ctx.now?.());
  const who = `${maskFiscalCode(user.fiscal_code)}${user.name ? ` (${user.name})` : ''}`;
  const where = ente ? `${ente.name} (${ente.fiscal_code})` : 'every ente of the aggregator';
  ctx.out.line(previous ? `${who}: ${previous} → ${role} on ${where}` : `${who} is now ${role} on ${where}`);
}

export async function revokeCommand(ctx: AdminContext, opts: { 'fiscal-code'?: string; ente?: string; admin?: boolean }): Promise<void> {
  const check = new OptionChecker();
  const fiscalCode = check.personFiscalCode('--fiscal-code', opts['fiscal-code']);
  const enteCode = opts.admin ? checkScope(check, 'admin', opts.ente) : check.enteFiscalCode('--ente', opts.ente);
  check.done();
  const ente = opts.admin ? null : await findEnteOrFail(ctx, '--ente', enteCode!);
  const removed = await revokeRole(ctx.database.db, fiscalCode!, ente?.id ?? ALL_ENTI);
  const where = ente ? `${ente.name} (${ente.fiscal_code})` : 'the aggregator (admin)';
  if (!removed) throw new CliError(`${maskFiscalCode(fiscalCode!)} has no role on ${where}`);
  ctx.out.line(`${maskFiscalCode(fiscalCode!)} no longer has a role on ${where}`);
}

export async function listUsersCommand(ctx: AdminContext, opts: { ente?: string }): Promise<void> {
  const check = new OptionChecker();
  const enteCode = opts.ente === undefined ? undefined : check.enteFiscalCode('--ente', opts.ente);
  check.done();
  const ente = enteCode ? await findEnteOrFail(ctx, '--ente', enteCode) : undefined;
  const grants = await listGrants(ctx.database.db, ente?.id);
  if (!grants.length) {
    ctx.out.line('No one has a role yet: give one with genio admin grant --fiscal-code <code> --ente <11 digits> --role viewer|sender|manager');
    return;
  }
  const names = new Map((await listEnti(ctx.database.db)).map((e) => [e.id, `${e.name} (${e.fiscal_code})`]));
  const rows = grants.map((g) => [maskFiscalCode(g.fiscal_code), g.name ?? '', g.role, g.ente_id === ALL_ENTI ? '(all enti)' : names.get(g.ente_id) ?? g.ente_id, formatTime(g.granted_at)]);
  for (const line of formatTable(['FISCAL CODE', 'NAME', 'ROLE', 'ENTE', 'SINCE'], rows)) ctx.out.line(line);
}
