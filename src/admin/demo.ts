/**
 * The demo data `npm start` creates on a first run, so that a newcomer can send a message within a
 * minute: one ente, one service, one API key, and two citizens of the IO simulator that show the
 * unhappy endings (not on IO, service blocked).
 */
import fs from 'node:fs';
import crypto from 'node:crypto';
import type { Database } from '../store/db.ts';
import { createEnte, listEnti } from '../store/enti.ts';
import { createService } from '../store/services.ts';
import { createApiKey, findApiKeyByValue } from '../store/api-keys.ts';
import { AGGREGATOR_ACCOUNT } from '../store/io-accounts.ts';
import { newId } from '../store/ids.ts';
import { organizationCheckDigit } from '../domain/organization-fiscal-code.ts';
import type { CitizenState } from '../io/simulator/index.ts';
import type { UserRole } from '../domain/permissions.ts';
import { grantRole } from '../store/users.ts';
import { TEST_CITIZENS, citizenName } from '../local-idp/citizens.ts';

/**
 * Roles of the local identity provider's test citizens on the demo ente, so that the web UI can be
 * tried at once: one of each role, and one person with none (who sees the "ask for access" page).
 */
export const DEMO_ROLES: ReadonlyArray<{ citizen: (typeof TEST_CITIZENS)[number]; role: UserRole | null }> = [
  { citizen: TEST_CITIZENS[0], role: 'manager' },
  { citizen: TEST_CITIZENS[1], role: 'sender' },
  { citizen: TEST_CITIZENS[2], role: 'viewer' },
  { citizen: TEST_CITIZENS[3], role: null },
];

export const DEMO_ENTE_NAME = 'Comune di Esempio';
/** Any ten digits will do; the eleventh is computed so that the code passes GeNIO's own check. */
export const DEMO_ENTE_FISCAL_CODE = `8000001000${organizationCheckDigit('8000001000')}`;
export const DEMO_SERVICE_CODE = 'demo';
export const DEMO_SERVICE_NAME = 'Servizio demo';
/** 10 000,00 €: enough for any demo payment notice. */
export const DEMO_MAX_PAYMENT_AMOUNT = 1_000_000;

/** A citizen who is on IO and accepts messages: the happy path. */
export const DEMO_RECIPIENT = 'RSSMRA79B11C566R';

/**
 * Citizens the simulator treats specially. The codes first proposed for them (…H501T, …F205Q)
 * had wrong check characters, so GeNIO itself would refuse them before they reached the
 * simulator; these are the same people with the check character computed (test/admin checks it).
 */
export const DEMO_CITIZENS: readonly { fiscalCode: string; state: CitizenState; outcome: string }[] = [
  { fiscalCode: 'VRDGPP80A01H501U', state: 'not_found', outcome: 'not on IO: the message ends rejected' },
  { fiscalCode: 'BNCLRA85M41F205C', state: 'blocked', outcome: 'has blocked the service: the message ends rejected' },
];

/** The message the printed curl sends: within IO's limits (subject ≥ 10, markdown ≥ 80 characters). */
export const DEMO_MESSAGE = {
  service: DEMO_SERVICE_CODE,
  fiscal_code: DEMO_RECIPIENT,
  subject: 'Benvenuto in GeNIO',
  markdown:
    'Questo è un messaggio di prova inviato con la chiave demo di **GeNIO**. ' +
    'Nessun cittadino reale lo riceve: va al simulatore di IO avviato con npm start.',
} as const;

export interface DemoState {
  /** True when this run created the demo ente, service and key. */
  created: boolean;
  /** The demo API key, when its file exists and the key is still live. */
  apiKey: string | null;
  /** Why there is no key to show, for the person reading the start banner. */
  note: string | null;
}

/**
 * On a database without any ente, creates the demo ente, service and API key, and writes the key
 * to `keyFile` (mode 0600). This is the only API key GeNIO ever writes down, and only in the
 * development `start`: elsewhere a key is shown once and only its hash is kept. On every run,
 * reads the key back from the file for the banner.
 */
export async function ensureDemo(database: Database, masterKey: Buffer, keyFile: string, now = Date.now()): Promise<DemoState> {
  let created = false;
  let demoEnteId: string | null = null;
  if ((await listEnti(database.db)).length === 0) {
    await database.db.transaction().execute(async (trx) => {
      const ente = await createEnte(trx, { fiscalCode: DEMO_ENTE_FISCAL_CODE, name: DEMO_ENTE_NAME, mode: 'aggregator' }, now);
      await createService(
        trx,
        masterKey,
        {
          enteId: ente.id,
          code: DEMO_SERVICE_CODE,
          name: DEMO_SERVICE_NAME,
          ioServiceId: newId(),
          primaryKey: crypto.randomBytes(16).toString('hex'),
          secondaryKey: crypto.randomBytes(16).toString('hex'),
          ioAccount: AGGREGATOR_ACCOUNT,
          maxPaymentAmount: DEMO_MAX_PAYMENT_AMOUNT,
        },
        now,
      );
      const { key } = await createApiKey(trx, masterKey, { enteId: ente.id }, now);
      demoEnteId = ente.id;
      // Written before the commit: if writing fails, no demo ente exists without its key.
      writePrivateFile(keyFile, `${key}\n`);
    });
    created = true;
    for (const { citizen, role } of DEMO_ROLES) {
      if (role) await grantRole(database.db, { fiscalCode: citizen.fiscalCode, name: citizenName(citizen), enteId: demoEnteId!, role }, now);
    }
  }
  if (!fs.existsSync(keyFile)) return { created, apiKey: null, note: `no demo API key (${keyFile} does not exist)` };
  const apiKey = fs.readFileSync(keyFile, 'utf8').trim();
  if (!(await findApiKeyByValue(database.db, apiKey))) {
    return { created, apiKey: null, note: `the key in ${keyFile} is revoked or unknown to this database` };
  }
  return { created, apiKey, note: null };
}

/** Creates or replaces a file readable by its owner only. */
export function writePrivateFile(file: string, content: string): void {
  fs.writeFileSync(file, content, { mode: 0o600 });
  // `mode` applies only when the file is created: tighten a file that already existed.
  fs.chmodSync(file, 0o600);
}
