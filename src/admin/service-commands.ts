/**
 * `genio admin create-service` and `list-services`: an ente's IO services with their pair of IO
 * keys. The keys are stored encrypted and never printed, not even masked in lists: an operator
 * who needs them reads them on IO, where they come from.
 */
import { AGGREGATOR_ACCOUNT } from '../store/io-accounts.ts';
import { createService, findServiceByCode, listServices, type Service } from '../store/services.ts';
import { listEnti, type Ente } from '../store/enti.ts';
import { findEnteOrFail, optionalEnteId, requireMasterKey, type AdminContext } from './context.ts';
import { CliError } from './errors.ts';
import { formatTable } from './table.ts';
import { OptionChecker } from './validate.ts';

export interface CreateServiceOptions {
  ente?: string;
  code?: string;
  name?: string;
  'io-service-id'?: string;
  'primary-key'?: string;
  'secondary-key'?: string;
  'io-account'?: string;
  'max-payment-amount'?: string;
  'no-profile-check'?: boolean;
}

/**
 * The IO account a service spends by default: in aggregator mode every ente shares the
 * aggregator's account (and its rate limit); a partner ente brought its own.
 */
export function defaultIoAccount(ente: Pick<Ente, 'mode' | 'fiscal_code'>): string {
  return ente.mode === 'aggregator' ? AGGREGATOR_ACCOUNT : `ente-${ente.fiscal_code}`;
}

export async function createServiceCommand(ctx: AdminContext, opts: CreateServiceOptions): Promise<Service> {
  const check = new OptionChecker();
  const enteFc = check.enteFiscalCode('--ente', opts.ente);
  const code = check.serviceCode('--code', opts.code);
  const name = check.name('--name', opts.name);
  const ioServiceId = check.ioServiceId('--io-service-id', opts['io-service-id']);
  const primaryKey = check.ioKey('--primary-key', opts['primary-key']);
  const secondaryKey = check.ioKey('--secondary-key', opts['secondary-key']);
  if (primaryKey && primaryKey === secondaryKey) check.problem('--secondary-key', 'is the same as --primary-key: IO gives each service two different keys');
  const ioAccount = opts['io-account'] === undefined ? undefined : check.ioAccount('--io-account', opts['io-account']);
  const maxPaymentAmount = check.cents('--max-payment-amount', opts['max-payment-amount'], 0);
  check.done();
  const masterKey = requireMasterKey(ctx, 'to store the IO keys encrypted');

  const ente = await findEnteOrFail(ctx, '--ente', enteFc!);
  const existing = await findServiceByCode(ctx.database.db, ente.id, code!);
  if (existing) throw new CliError(`--code: ente ${ente.fiscal_code} already has a service with code "${code}" ("${existing.name}")`);
  const service = await createService(
    ctx.database.db,
    masterKey,
    {
      enteId: ente.id,
      code: code!,
      name: name!,
      ioServiceId: ioServiceId!,
      primaryKey: primaryKey!,
      secondaryKey: secondaryKey!,
      ioAccount: ioAccount ?? defaultIoAccount(ente),
      maxPaymentAmount: maxPaymentAmount!,
      profileCheck: !opts['no-profile-check'],
    },
    ctx.now?.(),
  );
  ctx.out.line(`Service created: ${service.code} "${service.name}" of ${ente.name} (${ente.fiscal_code})`);
  ctx.out.line(`  IO service id:      ${service.io_service_id}`);
  ctx.out.line(`  IO account:         ${service.io_account}`);
  ctx.out.line(`  max payment amount: ${service.max_payment_amount} cents`);
  ctx.out.line(`  profile check:      ${service.profile_check ? 'yes' : 'no'}`);
  ctx.out.line('  IO keys:            stored encrypted (not shown)');
  return service;
}

export async function listServicesCommand(ctx: AdminContext, opts: { ente?: string }): Promise<void> {
  const enteId = await optionalEnteId(ctx, opts.ente);
  const services = await listServices(ctx.database.db, enteId);
  if (!services.length) {
    ctx.out.line('No services yet: add one with genio admin create-service (see genio help)');
    return;
  }
  const enti = new Map((await listEnti(ctx.database.db)).map((e) => [e.id, e]));
  const rows = services.map((s) => [
    s.code,
    s.name,
    enti.get(s.ente_id)?.fiscal_code ?? s.ente_id,
    s.io_account,
    s.key_in_use,
    s.flagged_reason ?? '-',
  ]);
  for (const line of formatTable(['CODE', 'NAME', 'ENTE', 'IO ACCOUNT', 'KEY IN USE', 'FLAGGED'], rows)) ctx.out.line(line);
}
