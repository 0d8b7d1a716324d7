/**
 * Tells an in-process IO simulator about the services stored in GeNIO, with their keys, IO
 * accounts and payment limits, so that under `npm start` each service spends its own account's
 * rate limit and may send payment notices as on IO. Without this the simulator would
 * auto-provision every unknown key as a sandbox service with a payment limit of 0.
 */
import type { Kysely } from 'kysely';
import type { Schema } from '../store/schema.ts';
import { listServices, serviceKeys } from '../store/services.ts';
import { listEnti } from '../store/enti.ts';
import type { IoSimulator } from '../io/simulator/index.ts';
import type { Output } from './output.ts';

export async function registerServicesInSimulator(db: Kysely<Schema>, masterKey: Buffer, sim: Pick<IoSimulator, 'addService'>, out: Output): Promise<number> {
  const enti = new Map((await listEnti(db)).map((e) => [e.id, e]));
  let registered = 0;
  for (const s of await listServices(db)) {
    try {
      const keys = serviceKeys(masterKey, s);
      sim.addService({
        serviceId: s.io_service_id,
        account: s.io_account,
        primaryKey: keys.primary,
        secondaryKey: keys.secondary,
        maxAllowedPaymentAmount: s.max_payment_amount,
        organizationFiscalCode: enti.get(s.ente_id)?.fiscal_code,
      });
      registered++;
    } catch (err) {
      out.warn(`IO simulator: service ${s.code} not registered (${err instanceof Error ? err.message : String(err)})`);
    }
  }
  return registered;
}
