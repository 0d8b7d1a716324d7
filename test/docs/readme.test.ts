/** The README's configuration table names every variable the code reads, and only those. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('README', () => {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const used = new Set(sourceFiles(path.join(root, 'src')).flatMap((f) => fs.readFileSync(f, 'utf8').match(/GENIO_[A-Z_]+[A-Z]/g) ?? []));

  it('documents every GENIO_ variable the code reads', () => {
    expect(used.size).toBeGreaterThan(10);
    const table = new Set([...readme.matchAll(/^\| `(GENIO_[A-Z_]+)` \|/gm)].map((m) => m[1]));
    expect([...used].filter((v) => !table.has(v))).toEqual([]);
    expect([...table].filter((v) => !used.has(v))).toEqual([]);
  });

  it('gives the two set-up commands', () => {
    expect(readme).toContain('npm install && npm start');
    expect(readme).toContain('npm test');
  });
});
