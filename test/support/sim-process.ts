/**
 * The IO simulator in its own process, as IO is another machine: its clock and its sliding
 * windows are not held up by the process that drives the load (benchmarks, cluster tests).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { SimulatorOptions, SimulatorStats, SimService, CitizenState } from '../../src/io/simulator/types.ts';

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

export async function startSimProcess(options: Omit<SimulatorOptions, 'random'>): Promise<SimProcess> {
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'sim-process-main.ts'), JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'inherit'] });
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

