/**
 * `genio serve` in a child process, as an operator runs it: configured by the environment, ready
 * when /readyz says so. No vitest here: the benchmarks use it too.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import readline from 'node:readline';

/** A port free right now on 127.0.0.1 (for a process that must know its address before listening). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  stderr: () => string;
}

/** The TypeScript under tsx, as tests run it; `BUILT` is the JavaScript of `npm run build`. */
export const FROM_SOURCE = ['--import', 'tsx', 'src/cli.ts'];
export const BUILT = ['dist/cli.js'];

/** `onLogLine` receives each line the process logs (pino writes JSON lines to stdout). */
export async function startServe(env: Record<string, string>, onLogLine?: (line: string) => void, program = FROM_SOURCE): Promise<ServeProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [...program, 'serve'], {
    env: { ...process.env, ...env, GENIO_PORT: String(port), GENIO_HOST: '127.0.0.1' },
    stdio: ['ignore', onLogLine ? 'pipe' : 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d) => (err = (err + d).slice(-4000)));
  if (onLogLine) readline.createInterface({ input: child.stdout! }).on('line', onLogLine);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`genio serve exited (${child.exitCode}): ${err}`);
    const ok = await fetch(`${url}/readyz`).then((r) => r.ok, () => false);
    if (ok) return { child, url, stderr: () => err };
    if (Date.now() > deadline) throw new Error(`genio serve did not become ready: ${err}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Sum of a Prometheus counter over all its label sets, as one process reports it. */
export async function counterSum(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))].reduce((a, m) => a + Number(m[1]), 0);
}
