/** What the benchmarks share: a simulator process, a seeded GeNIO database, figures and RSS. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freshDatabaseUrl } from '../test/support/genio.ts';
import type { SimulatorOptions, SimulatorStats, SimService, CitizenState } from '../src/io/simulator/types.ts';

export interface SimProcess {
  url: string;
  proc: ChildProcess;
  control(method: string, p: string, body?: unknown): Promise<any>;
  addService(s: SimService): Promise<void>;
  setCitizen(fiscalCode: string, state: CitizenState): Promise<void>;
  stats(): Promise<SimulatorStats>;
  /** Peak RSS of the simulator process, MiB (from /proc). */
  peakRssMiB(): number;
  close(): Promise<void>;
}

export function peakRssOf(pid: number): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /VmHWM:\s+(\d+) kB/.exec(status);
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

export function selfPeakRssMiB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

export async function startSimProcess(options: Omit<SimulatorOptions, 'random'>): Promise<SimProcess> {
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'sim-process.ts'), JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d) => {
      out += d;
      const m = /SIM (\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    proc.on('exit', (c) => reject(new Error(`simulator exited ${c}`)));
  });
  const control = async (method: string, p: string, body?: unknown) => {
    const r = await fetch(`${url}/__sim${p}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return r.json();
  };
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, peakRssOf(proc.pid!) || 0)), 500);
  return {
    url,
    proc,
    control,
    addService: async (s) => void (await control('POST', '/services', s)),
    setCitizen: async (fiscal_code, state) => void (await control('POST', '/citizens', { fiscal_code, state })),
    stats: () => control('GET', '/stats'),
    peakRssMiB: () => Math.max(peak, peakRssOf(proc.pid!) || 0),
    close: async () => {
      clearInterval(sampler);
      proc.kill('SIGTERM');
      await new Promise((r) => proc.once('exit', r));
    },
  };
}

export type BenchDb = 'sqlite' | 'postgres';

export const POSTGRES_URL = process.env.GENIO_TEST_DATABASE_URL ?? process.env.GENIO_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A fresh, empty database URL for a run (the tests' helper, with the bench's server). */
export const freshDb = (kind: BenchDb) => freshDatabaseUrl(kind, POSTGRES_URL);

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export function line(label: string, value: string): void {
  process.stdout.write(`  ${label.padEnd(44)} ${value}\n`);
}

export function header(title: string): void {
  process.stdout.write(`\n== ${title} ==\n`);
}

/** How many messages a benchmark uses: BENCH_SCALE scales every run (1 = the figures in the README). */
export function scaled(n: number): number {
  return Math.max(1, Math.round(n * Number(process.env.BENCH_SCALE ?? '1')));
}
