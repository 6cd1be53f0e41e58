import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(packageDir, 'dist/index.js');
const nodeOnly = new Set(['ws', ...builtinModules, ...builtinModules.map((name) => `node:${name}`)]);

function newestMtime(dir: string): number {
  return Math.max(
    ...readdirSync(dir, { withFileTypes: true }).map((item) =>
      item.isDirectory() ? newestMtime(join(dir, item.name)) : statSync(join(dir, item.name)).mtimeMs,
    ),
  );
}

const importPattern = /(?:^|[\s;])(?:import|export)\s*(?:[^'";]*?\sfrom\s*)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Node's lookup: the nearest `node_modules/<name>` above `dir`. */
function findPackage(dir: string, name: string): string {
  for (let current = dir; ; current = dirname(current)) {
    const candidate = join(current, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
    if (dirname(current) === current) throw new Error(`cannot resolve ${name} from ${dir}`);
  }
}

/**
 * Every module the file loads, following relative imports and scomp packages' built entries (other
 * packages' specifiers are checked, not followed).
 */
function importGraph(file: string, seen = new Map<string, string[]>()): Map<string, string[]> {
  if (seen.has(file)) return seen;
  const specifiers = [...readFileSync(file, 'utf8').matchAll(importPattern)].map((match) => (match[1] ?? match[2])!);
  seen.set(file, specifiers);
  for (const specifier of specifiers) {
    if (specifier.startsWith('.')) importGraph(resolve(dirname(file), specifier), seen);
    else if (specifier.startsWith('@scomp/')) {
      const [scope, name, ...rest] = specifier.split('/');
      const pkgDir = findPackage(dirname(file), `${scope}/${name}`);
      const exportsMap = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).exports;
      const target = exportsMap[rest.length > 0 ? `./${rest.join('/')}` : '.'].default as string;
      importGraph(join(pkgDir, target), seen);
    }
  }
  return seen;
}

describe('the runtime-neutral entry (built output)', () => {
  beforeAll(() => {
    // The check is about what ships, so it reads dist; build it (and what it depends on) if stale.
    if (!existsSync(entry) || newestMtime(join(packageDir, 'src')) > newestMtime(join(packageDir, 'dist'))) {
      execFileSync('pnpm', ['exec', 'turbo', 'run', 'build', '--filter=@scomp/transport-ws', '--output-logs=errors-only'], {
        cwd: packageDir,
        stdio: 'inherit',
      });
    }
  }, 120_000);

  it('imports nothing Node-only, directly or through what it imports', () => {
    const graph = importGraph(entry);
    const offending = [...graph].flatMap(([file, specifiers]) =>
      specifiers.filter((specifier) => nodeOnly.has(specifier)).map((specifier) => `${file} imports ${specifier}`),
    );
    expect(offending).toEqual([]);
    expect(graph.size).toBeGreaterThan(3);
  });

  it('is what the package exports as "."', () => {
    const pkg = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
    expect(resolve(packageDir, pkg.exports['.'].default)).toBe(entry);
  });

  it('the check itself catches a Node import', () => {
    const graph = importGraph(join(packageDir, 'dist/node.js'));
    const all = [...graph.values()].flat();
    expect(all.some((specifier) => nodeOnly.has(specifier))).toBe(true);
  });
});
