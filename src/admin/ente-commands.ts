/** `genio admin create-ente` and `list-enti`: registering the public bodies that send through GeNIO. */
import { createEnte, findEnteByFiscalCode, listEnti, type Ente } from '../store/enti.ts';
import { listServices } from '../store/services.ts';
import type { AdminContext } from './context.ts';
import { CliError } from './errors.ts';
import { formatTable, formatTime } from './table.ts';
import { OptionChecker } from './validate.ts';

export const ENTE_MODES = ['aggregator', 'partner'] as const;

export interface CreateEnteOptions {
  'fiscal-code'?: string;
  name?: string;
  mode?: string;
}

export async function createEnteCommand(ctx: AdminContext, opts: CreateEnteOptions): Promise<Ente> {
  const check = new OptionChecker();
  const fiscalCode = check.enteFiscalCode('--fiscal-code', opts['fiscal-code']);
  const name = check.name('--name', opts.name);
  const mode = check.oneOf('--mode', opts.mode, ENTE_MODES, 'aggregator');
  check.done();

  const existing = await findEnteByFiscalCode(ctx.database.db, fiscalCode!);
  if (existing) throw new CliError(`--fiscal-code: an ente with fiscal code ${fiscalCode} already exists ("${existing.name}")`);
  const ente = await createEnte(ctx.database.db, { fiscalCode: fiscalCode!, name: name!, mode: mode! }, ctx.now?.());
  ctx.out.line(`Ente created: ${ente.name} (${ente.fiscal_code}), ${ente.mode} mode, id ${ente.id}`);
  return ente;
}

export async function listEntiCommand(ctx: AdminContext): Promise<void> {
  const enti = await listEnti(ctx.database.db);
  if (!enti.length) {
    ctx.out.line('No enti yet: add one with genio admin create-ente --fiscal-code <11 digits> --name <name>');
    return;
  }
  const services = await listServices(ctx.database.db);
  const count = (id: string) => String(services.filter((s) => s.ente_id === id).length);
  const rows = enti.map((e) => [e.fiscal_code, e.name, e.mode, count(e.id), formatTime(e.created_at)]);
  for (const line of formatTable(['FISCAL CODE', 'NAME', 'MODE', 'SERVICES', 'CREATED'], rows)) ctx.out.line(line);
}
