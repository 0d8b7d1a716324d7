/**
 * The `genio` command (`npm run genio -- <command>`, `bin/genio.js`): parses the command line and
 * hands over to the command's module. Errors meant for a person (CliError) are printed as one
 * message and an exit status; anything else is a bug and keeps its stack trace.
 * The server commands are imported only when run: an admin command should not wait for fastify,
 * the dispatcher and the simulator to load.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliError } from './admin/errors.ts';
import { processOutput, type Output } from './admin/output.ts';
import { withAdminDatabase, type AdminContext } from './admin/context.ts';
import {
  createApiKeyCommand,
  createEnteCommand,
  createServiceCommand,
  listApiKeysCommand,
  listEntiCommand,
  listServicesCommand,
  revokeApiKeyCommand,
  grantCommand,
  revokeCommand,
  listUsersCommand,
} from './admin/commands.ts';
import { USAGE } from './cli/usage.ts';
import { DEFAULT_DATABASE_URL, migrateCommand } from './cli/migrate.ts';
import { masterKeyFromEnv } from './cli/master-key.ts';

type Options = NonNullable<ParseArgsConfig['options']>;
type Values = Record<string, string | boolean | undefined>;

interface AdminCommand {
  options: Options;
  /** Takes one positional argument (revoke-api-key's id or prefix). */
  positional?: boolean;
  run(ctx: AdminContext, values: Values, positionals: string[]): Promise<unknown>;
}

const str = { type: 'string' } as const;
const flag = { type: 'boolean' } as const;

const ADMIN: Record<string, AdminCommand> = {
  'create-ente': { options: { 'fiscal-code': str, name: str, mode: str }, run: (ctx, v) => createEnteCommand(ctx, v as never) },
  'create-service': {
    options: {
      ente: str,
      code: str,
      name: str,
      'io-service-id': str,
      'primary-key': str,
      'secondary-key': str,
      'io-account': str,
      'max-payment-amount': str,
      'no-profile-check': flag,
    },
    run: (ctx, v) => createServiceCommand(ctx, v as never),
  },
  'create-api-key': {
    options: { ente: str, services: str, 'callback-url': str, sandbox: flag },
    run: (ctx, v) => createApiKeyCommand(ctx, v as never),
  },
  'list-enti': { options: {}, run: (ctx) => listEntiCommand(ctx) },
  'list-services': { options: { ente: str }, run: (ctx, v) => listServicesCommand(ctx, v as never) },
  'list-api-keys': { options: { ente: str }, run: (ctx, v) => listApiKeysCommand(ctx, v as never) },
  'revoke-api-key': { options: {}, positional: true, run: (ctx, _v, p) => revokeApiKeyCommand(ctx, p[0]) },
  grant: { options: { 'fiscal-code': str, ente: str, role: str, name: str }, run: (ctx, v) => grantCommand(ctx, v as never) },
  revoke: { options: { 'fiscal-code': str, ente: str, admin: flag }, run: (ctx, v) => revokeCommand(ctx, v as never) },
  'list-users': { options: { ente: str }, run: (ctx, v) => listUsersCommand(ctx, v as never) },
};

/** parseArgs with its errors (unknown option, missing value) turned into usage errors. */
function parse(args: string[], options: Options, positional = false): { values: Values; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args, options, strict: true, allowPositionals: positional });
    if (positionals.length > 1) throw new CliError(`expected one argument, got ${positionals.length}: ${positionals.join(' ')}`, 2);
    return { values: values as Values, positionals };
  } catch (err) {
    if ((err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) throw new CliError(`${(err as Error).message} (see genio help)`, 2);
    throw err;
  }
}

async function admin(args: string[], env: NodeJS.ProcessEnv, out: Output): Promise<void> {
  const [name, ...rest] = args;
  const command = name ? ADMIN[name] : undefined;
  if (!command) {
    out.warn(USAGE);
    throw new CliError(name ? `unknown admin command "${name}"` : 'admin needs a command', 2);
  }
  try {
    const { values, positionals } = parse(rest, command.options, command.positional);
    const masterKey = masterKeyFromEnv(env);
    await withAdminDatabase(env.GENIO_DATABASE_URL?.trim() || DEFAULT_DATABASE_URL, (database) =>
      command.run({ database, masterKey, out }, values, positionals),
    );
  } catch (err) {
    if (err instanceof CliError) err.message = `admin ${name}: ${err.message}`;
    throw err;
  }
}

async function main(argv: string[], env: NodeJS.ProcessEnv = process.env, out: Output = processOutput): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve': {
      // --role api|worker|all is GENIO_ROLE on the command line, where operators expect it.
      const { values } = parse(rest, { role: str });
      return (await import('./cli/serve.ts')).serveCommand(values.role === undefined ? env : { ...env, GENIO_ROLE: String(values.role) });
    }
    case 'start':
      parse(rest, {});
      return (await import('./cli/start.ts')).startCommand(env, out);
    case 'migrate':
      parse(rest, {});
      await migrateCommand(env.GENIO_DATABASE_URL?.trim() || DEFAULT_DATABASE_URL, out);
      return;
    case 'io-sim': {
      const { values } = parse(rest, { port: str, host: str, limit: str, delay: str, 'auto-provision': flag });
      return (await import('./cli/io-sim.ts')).ioSimCommand(values as never, out);
    }
    case 'admin':
      return admin(rest, env, out);
    case 'send': {
      const { values } = parse(rest, {
        service: str, file: str, template: str, 'check-only': flag, schedule: str, 'send-valid-only': flag, 'allow-duplicate': flag, 'no-wait': flag, url: str, 'api-key': str,
      });
      return (await import('./cli/send.ts')).sendCommand(values as never, env, out);
    }
    case 'template': {
      const [action, ...more] = rest;
      const { values, positionals } = parse(more, { file: str, version: str, url: str, 'api-key': str }, true);
      return (await import('./cli/templates.ts')).templateCommand(action, positionals[0], values as never, env, out);
    }
    case 'batch': {
      const [action, ...more] = rest;
      const { values, positionals } = parse(more, { url: str, 'api-key': str, 'send-valid-only': flag, schedule: str }, true);
      return (await import('./cli/send.ts')).batchCommand(action, positionals[0], values as never, env, out);
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      out.line(USAGE);
      return;
    default:
      out.warn(USAGE);
      throw new CliError(`unknown command "${command}"`, 2);
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof CliError) process.stderr.write(`genio: ${err.message}\n`);
  else process.stderr.write(`genio: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  // exit() rather than exitCode: a half-started server must not keep the process alive.
  process.exit(err instanceof CliError ? err.exitCode : 1);
});
