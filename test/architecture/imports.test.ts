/**
 * Layering rules, checked on the source text: every `import … from`, `export … from`, side-effect
 * `import '…'` and `import('…')` in every .ts file under src/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, posix, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SRC = join(ROOT, 'src');

/** The composition roots: the only files outside src/api (and src/web) that may wire the HTTP layer in. */
const COMPOSITION_ROOTS = ['src/server.ts', 'src/cli.ts'];
/** Node built-ins that do I/O: not for src/domain. */
const IO_BUILTINS = [
  'fs', 'fs/promises', 'net', 'http', 'https', 'http2', 'child_process', 'dgram', 'dns', 'dns/promises', 'tls',
  'cluster', 'worker_threads', 'readline', 'readline/promises', 'repl', 'inspector', 'tty', 'os', 'process',
  'module', 'vm', 'v8', 'perf_hooks', 'async_hooks', 'diagnostics_channel', 'sqlite', 'test',
];

/** Every import/export specifier in a source text. */
function importSpecifiers(source: string): string[] {
  const patterns = [
    /^\s*(?:import|export)\b[^'";]*?\bfrom\s*['"]([^'"]+)['"]/gm, // import x from '…', import type {…} from '…', export * from '…'
    /^\s*import\s*['"]([^'"]+)['"]/gm, // import '…'
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g, // import('…')
    /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g, // require('…') via createRequire
  ];
  return patterns.flatMap((re) => [...source.matchAll(re)].map((m) => m[1]));
}

type Edge = { from: string; spec: string; kind: 'src' | 'builtin' | 'package' | 'outside'; target: string };

function listTs(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listTs(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

const toPosix = (p: string) => p.split(sep).join(posix.sep);

function edgesOf(file: string): Edge[] {
  const from = toPosix(relative(ROOT, file));
  return importSpecifiers(readFileSync(file, 'utf8')).map((spec): Edge => {
    if (spec.startsWith('.')) {
      const target = toPosix(relative(ROOT, resolve(dirname(file), spec)));
      return { from, spec, kind: target.startsWith('src/') ? 'src' : 'outside', target };
    }
    const bare = spec.replace(/^node:/, '');
    if (spec.startsWith('node:') || builtinModules.includes(bare)) return { from, spec, kind: 'builtin', target: bare };
    return { from, spec, kind: 'package', target: spec };
  });
}

const FILES = listTs(SRC);
const EDGES = FILES.flatMap(edgesOf);
const inDir = (path: string, dir: string) => path === `${dir}.ts` || path.startsWith(`${dir}/`);
const show = (edges: Edge[]) => edges.map((e) => `${e.from} imports '${e.spec}'`).join('\n');

describe('import scanner (self-check)', () => {
  it('finds every form of import', () => {
    const source = [
      "import { a } from './a.ts';",
      "import type { B } from '../b.ts';",
      'import {',
      '  c,',
      '  d,',
      "} from './multi-line.ts';",
      "import * as e from \"node:fs\";",
      "export { f } from './re-export.ts';",
      "export * from './star.ts';",
      "import './side-effect.ts';",
      "const g = await import('./dynamic.ts');",
      " * import { h } from './in-a-comment.ts' (doc comment: not an import)",
      "const url = 'https://example.com/from/here';",
    ].join('\n');
    expect(importSpecifiers(source).sort()).toEqual(
      ['./a.ts', '../b.ts', './multi-line.ts', 'node:fs', './re-export.ts', './star.ts', './side-effect.ts', './dynamic.ts'].sort(),
    );
  });

  it('sees the source tree', () => {
    const names = FILES.map((f) => toPosix(relative(ROOT, f)));
    expect(names).toContain('src/server.ts');
    expect(names.some((n) => n.startsWith('src/domain/'))).toBe(true);
    expect(EDGES.some((e) => e.from === 'src/server.ts' && inDir(e.target, 'src/api'))).toBe(true);
  });
});

describe('layering', () => {
  it('only the composition roots import src/api or src/web (besides those layers themselves)', () => {
    const bad = EDGES.filter(
      (e) =>
        e.kind === 'src' &&
        ['src/api', 'src/web'].some((layer) => inDir(e.target, layer) && !inDir(e.from, layer)) &&
        !COMPOSITION_ROOTS.includes(e.from),
    );
    expect(bad, `the HTTP layer is imported from outside it:\n${show(bad)}\n(move the shared type/function out of src/api, e.g. to src/domain or the importing layer)`).toEqual([]);
  });

  it('src/domain imports only src/domain: no npm package, no I/O built-in', () => {
    const domain = EDGES.filter((e) => inDir(e.from, 'src/domain'));
    expect(domain.length).toBeGreaterThan(0);
    const bad = domain.filter(
      (e) =>
        e.kind === 'package' ||
        e.kind === 'outside' ||
        (e.kind === 'src' && !inDir(e.target, 'src/domain')) ||
        (e.kind === 'builtin' && IO_BUILTINS.some((m) => e.target === m || e.target.startsWith(`${m}/`))),
    );
    expect(bad, `src/domain must stay pure:\n${show(bad)}`).toEqual([]);
  });

  it('src/store does not import src/dispatch, src/api, src/io', () => {
    const bad = EDGES.filter((e) => inDir(e.from, 'src/store') && e.kind === 'src' && ['src/dispatch', 'src/api', 'src/io'].some((d) => inDir(e.target, d)));
    expect(bad, `src/store reaches up the layers:\n${show(bad)}`).toEqual([]);
  });

  it('src/io does not import src/store, src/dispatch, src/api', () => {
    const bad = EDGES.filter((e) => inDir(e.from, 'src/io') && e.kind === 'src' && ['src/store', 'src/dispatch', 'src/api'].some((d) => inDir(e.target, d)));
    expect(bad, `src/io must not depend on GeNIO's store or dispatch:\n${show(bad)}`).toEqual([]);
  });

  it('src/ingest reads files into checked rows: it does not reach the dispatcher, the HTTP layer or IO', () => {
    const bad = EDGES.filter((e) => inDir(e.from, 'src/ingest') && e.kind === 'src' && ['src/dispatch', 'src/api', 'src/io', 'src/web'].some((d) => inDir(e.target, d)));
    expect(bad, `src/ingest reaches too far:\n${show(bad)}`).toEqual([]);
  });

  it('src/store and src/dispatch do not import src/ingest', () => {
    const bad = EDGES.filter((e) => (inDir(e.from, 'src/store') || inDir(e.from, 'src/dispatch')) && e.kind === 'src' && inDir(e.target, 'src/ingest'));
    expect(bad, `the file readers are imported from below:\n${show(bad)}`).toEqual([]);
  });
});
