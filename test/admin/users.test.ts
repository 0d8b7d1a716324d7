/** `genio admin grant / revoke / list-users`: who may use the web UI, for which ente. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/store/db.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { grantCommand, listUsersCommand, revokeCommand } from '../../src/admin/commands.ts';
import { rolesOf, ALL_ENTI } from '../../src/store/users.ts';
import { UsageError, CliError } from '../../src/admin/errors.ts';
import type { Ente } from '../../src/store/enti.ts';
import { DB_KINDS, freshDatabaseUrl } from '../support/genio.ts';
import { buildEnte, validFiscalCode } from '../support/factories.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PERSON = 'RSSMRA85T10A562S';

describe.each(DB_KINDS)('user roles on %s', (kind) => {
  let database: Database;
  let drop: () => Promise<void>;
  let a: Ente;
  let b: Ente;
  const lines: string[] = [];
  const ctx = () => ({ database, masterKey: null, out: { line: (s = '') => void lines.push(s), warn: (s: string) => void lines.push(s) } });

  beforeAll(async () => {
    let url: string;
    ({ url, drop } = await freshDatabaseUrl(kind));
    database = await openDatabase(url);
    await migrateToLatest(database);
    a = await buildEnte(database.db, { name: 'Comune di Alfa' });
    b = await buildEnte(database.db, { name: 'Comune di Beta' });
  });
  afterAll(async () => {
    await database?.close();
    await drop?.();
  });

  it('grants a role per ente, replaces it on a second grant, and an aggregator-wide admin', async () => {
    await grantCommand(ctx(), { 'fiscal-code': `TINIT-${PERSON}`, ente: a.fiscal_code, role: 'sender', name: 'Mario Rossi' });
    expect(lines.at(-1)).toBe(`RSS************S (Mario Rossi) is now sender on Comune di Alfa (${a.fiscal_code})`);
    await grantCommand(ctx(), { 'fiscal-code': PERSON.toLowerCase(), ente: a.fiscal_code, role: 'manager' });
    expect(lines.at(-1)).toContain('sender → manager');
    await grantCommand(ctx(), { 'fiscal-code': PERSON, ente: b.fiscal_code, role: 'viewer' });
    await grantCommand(ctx(), { 'fiscal-code': validFiscalCode(1), role: 'admin', name: 'Anna Admin' });
    expect(await rolesOf(database.db, PERSON)).toEqual(expect.arrayContaining([{ enteId: a.id, role: 'manager' }, { enteId: b.id, role: 'viewer' }]));
    expect(await rolesOf(database.db, validFiscalCode(1))).toEqual([{ enteId: ALL_ENTI, role: 'admin' }]);
    lines.length = 0;
    await listUsersCommand(ctx(), { ente: a.fiscal_code });
    expect(lines.join('\n')).toContain('Mario Rossi');
    expect(lines.join('\n')).not.toContain(PERSON);
    expect(lines.join('\n')).not.toContain('Anna Admin');
  });

  it('revokes one ente and keeps the others; revoking what is not there says so', async () => {
    await revokeCommand(ctx(), { 'fiscal-code': PERSON, ente: b.fiscal_code });
    expect(await rolesOf(database.db, PERSON)).toEqual([{ enteId: a.id, role: 'manager' }]);
    await expect(revokeCommand(ctx(), { 'fiscal-code': PERSON, ente: b.fiscal_code })).rejects.toThrow(CliError);
    await revokeCommand(ctx(), { 'fiscal-code': validFiscalCode(1), admin: true });
    expect(await rolesOf(database.db, validFiscalCode(1))).toEqual([]);
  });

  it('checks every option at once: fiscal code, role, ente', async () => {
    const err = await grantCommand(ctx(), { 'fiscal-code': 'RSSMRA85T10A562X', ente: '12345678901', role: 'boss' }).catch((e) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect(err.problems.map((p: string) => p.split(':')[0])).toEqual(['--fiscal-code', '--role', '--ente']);
    const admin = await grantCommand(ctx(), { 'fiscal-code': PERSON, ente: a.fiscal_code, role: 'admin' }).catch((e) => e);
    expect(admin.problems).toEqual(['--ente: admin covers every ente of the aggregator: leave --ente out']);
    const unknown = await grantCommand(ctx(), { 'fiscal-code': PERSON, ente: '80000099997', role: 'viewer' }).catch((e) => e);
    expect(unknown).toBeInstanceOf(CliError);
  });
});

describe('genio admin grant, as a command', () => {
  it('exits 2 naming each bad option', async () => {
    const clean: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('GENIO_')) clean[k] = v;
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'admin', 'grant', '--fiscal-code', 'nope', '--role', 'sender'], {
      cwd: ROOT,
      env: { ...clean, GENIO_DATABASE_URL: ':memory:' },
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise((r) => child.on('exit', r));
    expect(code).toBe(2);
    expect(stderr).toContain('--fiscal-code');
    expect(stderr).toContain('--ente: is required');
  }, 30_000);
});
