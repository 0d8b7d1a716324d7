/** Seeding a benchmark database: an ente, a service known to the simulator, and N queued messages. */
import crypto from 'node:crypto';
import type { Database } from '../src/store/db.ts';
import { migrateToLatest } from '../src/store/migrate.ts';
import { createEnte, type Ente } from '../src/store/enti.ts';
import { createService, type Service } from '../src/store/services.ts';
import { createApiKey } from '../src/store/api-keys.ts';
import { insertMessages, newMessageRow, type Message } from '../src/store/messages/accept.ts';
import { validFiscalCode } from '../test/support/factories.ts';
import { organizationCheckDigit } from '../src/domain/organization-fiscal-code.ts';
import type { SimProcess } from './support.ts';

/** The n-th of many distinct valid fiscal codes. */
export const fiscalCode = validFiscalCode;

export async function seedEnte(database: Database, masterKey: Buffer, sim: SimProcess, n: number, opts: { account?: string; profileCheck?: boolean } = {}): Promise<{ ente: Ente; service: Service; apiKey: string }> {
  await migrateToLatest(database);
  const first10 = String(8_000_000_000 + n);
  const ente = await createEnte(database.db, { fiscalCode: first10 + organizationCheckDigit(first10), name: `Ente ${n}`, mode: 'aggregator' });
  const primaryKey = crypto.randomBytes(16).toString('hex');
  const secondaryKey = crypto.randomBytes(16).toString('hex');
  const ioServiceId = `01BENCH${String(n).padStart(19, '0')}`;
  const account = opts.account ?? 'aggregator';
  const service = await createService(database.db, masterKey, { enteId: ente.id, code: 'bench', name: 'Bench', ioServiceId, primaryKey, secondaryKey, ioAccount: account, maxPaymentAmount: 1_000_000, profileCheck: opts.profileCheck });
  await sim.addService({ serviceId: ioServiceId, account, primaryKey, secondaryKey, maxAllowedPaymentAmount: 1_000_000 });
  const { key } = await createApiKey(database.db, masterKey, { enteId: ente.id });
  return { ente, service, apiKey: key };
}

/** Queues `count` messages for one ente straight into the outbox, in large transactions. */
export async function queueMessages(database: Database, ente: Ente, service: Service, count: number, offset = 0, priority = 1): Promise<void> {
  const now = Date.now();
  const chunk = database.dialect === 'postgres' ? 2000 : 5000;
  for (let i = 0; i < count; i += chunk) {
    const rows: Message[] = [];
    for (let j = i; j < Math.min(count, i + chunk); j++) {
      rows.push(newMessageRow({
        enteId: ente.id,
        service,
        apiKey: null,
        priority,
        message: {
          fiscalCode: fiscalCode(offset + j),
          subject: `Avviso TARI 2026 n. ${offset + j}`,
          markdown: `Gentile contribuente, è disponibile l'avviso di pagamento TARI 2026 numero ${offset + j}. Può pagarlo entro la scadenza indicata.`,
          dueDate: null,
          payment: null,
          scheduledAt: null,
          reference: `bench-${offset + j}`,
        },
      }, now));
    }
    // A statement takes at most 32 766 parameters on SQLite (65 535 on PostgreSQL): insert in slices.
    await database.db.transaction().execute(async (trx) => {
      for (let k = 0; k < rows.length; k += 500) await insertMessages(trx, rows.slice(k, k + 500));
    });
  }
}
