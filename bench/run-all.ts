/** `npm run bench`: every benchmark in turn, each in its own process so one's memory does not count for another. */
import { spawnSync } from 'node:child_process';

for (const [script, ...args] of [['bench/dispatch.ts', 'all'], ['bench/accept.ts', 'all'], ['bench/fairness.ts'], ['bench/cluster.ts'], ['bench/batch-check.ts', 'all']]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
