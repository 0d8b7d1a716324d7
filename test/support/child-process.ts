/** Starts test/support/child-genio.ts in a process of its own (for crash tests) and waits for its URL. */
import { spawn, type ChildProcess } from 'node:child_process';

export interface Child {
  proc: ChildProcess;
  url: string;
  exited: Promise<{ code: number | null; signal: string | null }>;
}

export function startChild(env: Record<string, string>): Promise<Child> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'test/support/child-genio.ts'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<{ code: number | null; signal: string | null }>((r) => proc.on('exit', (code, signal) => r({ code, signal })));
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    proc.stdout!.on('data', (d) => {
      out += d;
      const m = /READY (\S+)/.exec(out);
      if (m) resolve({ proc, url: m[1], exited });
    });
    proc.stderr!.on('data', (d) => (err = (err + d).slice(-4000)));
    proc.on('exit', (code) => reject(new Error(`child exited early (${code}): ${out}\n${err}`)));
    setTimeout(() => reject(new Error('child did not start')), 20_000);
  });
}
