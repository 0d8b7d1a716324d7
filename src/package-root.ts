/**
 * GeNIO's install folder (where package.json is), for files that are not code: the web views and
 * assets under src/web, the compiled check worker under dist/. Found by walking up from this
 * module, which runs from src/ under tsx and from dist/ once built (scripts/build.mjs).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

export const PACKAGE_ROOT = findRoot(path.dirname(fileURLToPath(import.meta.url)));

/** True when running the built JavaScript of dist/, false under tsx. */
export const COMPILED = !import.meta.url.endsWith('.ts');
