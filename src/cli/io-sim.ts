/**
 * `genio io-sim`: the IO simulator alone, for a GeNIO (or anything else) in another process to
 * talk to instead of IO. Its control API has no authentication, hence the loopback default and
 * the warning for any other host.
 */
import { parseBudget, parseDuration } from '../config.ts';
import { serveSimulator } from '../io/simulator/serve.ts';
import { OptionChecker } from '../admin/validate.ts';
import type { Output } from '../admin/output.ts';
import { stopOnSignals } from './signals.ts';
import { listenError } from './listen-error.ts';

export interface IoSimOptions {
  port?: string;
  host?: string;
  limit?: string;
  delay?: string;
  'auto-provision'?: boolean;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

export async function ioSimCommand(opts: IoSimOptions, out: Output): Promise<void> {
  const check = new OptionChecker();
  const port = parsePort(check, '--port', opts.port ?? '3001');
  const host = check.required('--host', opts.host ?? '127.0.0.1', 'an address to listen on');
  const limit = parseBudget(opts.limit ?? '150/5s');
  if (limit === undefined) check.problem('--limit', `must look like 150/5s (calls per window) or off (got "${opts.limit}")`);
  const delay = parseDuration(opts.delay ?? '1000');
  if (delay === null) check.problem('--delay', `must be milliseconds like 1000, or a duration like 2s (got "${opts.delay}")`);
  check.done();

  const sim = await serveSimulator({
    port: port!,
    host: host!,
    config: { rateLimit: limit!, processingDelayMs: delay!, autoProvision: !!opts['auto-provision'] },
  }).catch((err: unknown) => {
    throw listenError(err, '--port', port!);
  });
  const url = sim.url;
  out.line(`IO simulator listening on ${url}`);
  out.line(`  rate limit:       ${limit ? `${limit.calls} calls in any ${limit.windowMs} ms per account` : 'off'}`);
  out.line(`  processing delay: ${delay} ms (ACCEPTED → PROCESSED / REJECTED)`);
  out.line(`  unknown keys:     ${opts['auto-provision'] ? 'become sandbox services' : 'answer 401 (register services first)'}`);
  out.line('Control API (no authentication: local use only):');
  out.line(`  POST ${url}/__sim/services     {"serviceId","account","primaryKey","secondaryKey","maxAllowedPaymentAmount"?,…}`);
  out.line(`  POST ${url}/__sim/citizens     {"fiscal_code","state":"active|not_found|inbox_disabled|blocked","blocked_service_ids"?}`);
  out.line(`  POST ${url}/__sim/refuse-key   {"key"}  (the key now answers 401)`);
  out.line(`  POST ${url}/__sim/configure    {"rateLimit","processingDelayMs","latencyMs","errorRate","timeoutRate","failRate","autoProvision"}`);
  out.line(`  GET  ${url}/__sim/stats`);
  out.line(`  GET  ${url}/__sim/requests?limit=100`);
  out.line(`  POST ${url}/__sim/reset`);
  if (!LOOPBACK.has(host!)) out.warn(`warning: listening on ${host}: anyone who can reach it can reconfigure the simulator`);
  stopOnSignals(() => sim.close(), (text) => out.warn(text));
}

/** A TCP port; 0 asks the system for any free one. */
export function parsePort(check: OptionChecker, option: string, raw: string): number | undefined {
  const v = raw.trim();
  if (!/^[0-9]{1,5}$/.test(v) || Number(v) > 65535) return check.problem(option, `must be a port number from 0 to 65535 (got "${raw}")`);
  return Number(v);
}
