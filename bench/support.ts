/** What the benchmarks share: a simulator process, a seeded GeNIO database, figures and RSS. */
import { execFileSync } from 'node:child_process';
import { freshDatabaseUrl } from '../test/support/genio.ts';
import { BUILT } from '../test/support/serve-process.ts';
export { peakRssOf, startSimProcess, type SimProcess } from '../test/support/sim-process.ts';

export function selfPeakRssMiB(): number {
  return process.resourceUsage().maxRSS / 1024;
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

/** Builds dist/ (scripts/build.mjs); returns the node arguments that run GeNIO as production does. */
export function builtGenio(): string[] {
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
  return BUILT;
}
