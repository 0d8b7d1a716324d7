/**
 * Builds the JavaScript GeNIO runs in production (`npm start`, `node dist/cli.js serve`): the CLI
 * and the batch check's worker, bundled by esbuild with the npm packages left as imports. Running
 * built code instead of tsx saves each process (and the check's worker thread) tsx's loader,
 * its hooks thread and the inline source maps: about 80 MiB of a big check's peak RSS
 * (bench/batch-check.ts). Tests and `npm run genio` run the TypeScript directly.
 */
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
fs.rmSync(path.join(root, 'dist'), { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: ['src/cli.ts', 'src/ingest/check-worker.ts'],
  outbase: 'src',
  outdir: 'dist',
  bundle: true,
  splitting: true, // the local identity provider, XLSX reading and the CLI's commands load on demand
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked', // for reading a stack trace, with `node --enable-source-maps` when needed
  logLevel: 'warning',
});
