import { execFileSync } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);
const libraries = ['protocol', 'peer', 'runtime-quickjs', 'transport-ws', 'transport-stdio', 'mcp'];

function manifest(name: string): { dependencies?: Record<string, string>; peerDependencies?: Record<string, string> } {
  return JSON.parse(readFileSync(join(root, 'packages', name, 'package.json'), 'utf8'));
}

/** Every module reachable from `entry` through relative imports, with the bare specifiers they import. */
function importGraph(entry: string, seen = new Map<string, string[]>()): Map<string, string[]> {
  if (seen.has(entry)) return seen;
  const source = readFileSync(entry, 'utf8');
  const specifiers = [...source.matchAll(/(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^import\s*['"]([^'"]+)['"]/gm)]
    .map((match) => match[1] ?? match[2] ?? match[3])
    .filter((specifier): specifier is string => specifier !== undefined);
  seen.set(entry, specifiers.filter((specifier) => !specifier.startsWith('.')));
  for (const specifier of specifiers) if (specifier.startsWith('.')) importGraph(resolve(dirname(entry), specifier), seen);
  return seen;
}

const nodeBuiltins = new Set(builtinModules);
const isNodeOnly = (specifier: string) => specifier.startsWith('node:') || nodeBuiltins.has(specifier) || specifier === 'ws';

describe('published packages', () => {
  it('compile in a consumer project against their built declarations', () => {
    const tsc = require.resolve('typescript/bin/tsc');
    const run = () => execFileSync(process.execPath, [tsc, '-p', join(root, 'e2e/consumer/tsconfig.json')], { encoding: 'utf8' });
    expect(run).not.toThrow();
  }, 120_000);

  it('depend on each other one way: protocol ← peer ← runtimes and transports', () => {
    const scomp = (name: string) => Object.keys(manifest(name).dependencies ?? {}).filter((dep) => dep.startsWith('@scomp/'));
    expect(scomp('protocol')).toEqual([]);
    expect(scomp('peer')).toEqual(['@scomp/protocol']);
    for (const leaf of ['runtime-quickjs', 'transport-ws', 'transport-stdio']) {
      for (const dep of scomp(leaf)) expect(['@scomp/protocol', '@scomp/peer']).toContain(dep);
    }
    const all = (name: string) => Object.keys({ ...manifest(name).dependencies, ...manifest(name).peerDependencies });
    expect(all('transport-ws').some((dep) => dep.includes('quickjs'))).toBe(false);
    expect(all('transport-stdio').some((dep) => dep.includes('quickjs'))).toBe(false);
    expect(all('runtime-quickjs')).not.toContain('ws');
    // The MCP bridge sits with the apps: it may use every library, and no library uses it.
    for (const dep of scomp('mcp')) expect(['@scomp/protocol', '@scomp/peer', '@scomp/runtime-quickjs', '@scomp/transport-ws', '@scomp/transport-stdio']).toContain(dep);
    for (const name of libraries.filter((library) => library !== 'mcp')) expect(scomp(name)).not.toContain('@scomp/mcp');
  });

  it.each([
    ['protocol', 'dist/index.js'],
    ['protocol', 'dist/errorCodes.js'],
    ['peer', 'dist/index.js'],
    ['peer', 'dist/errors.js'],
    ['peer', 'dist/testing/index.js'],
    ['transport-ws', 'dist/index.js'],
  ])('keep the runtime-neutral entry %s/%s free of Node imports', (name, entry) => {
    const file = join(root, 'packages', name, entry);
    expect(existsSync(file), `${file} is built`).toBe(true);
    const offending: string[] = [];
    for (const [module, specifiers] of importGraph(file)) {
      for (const specifier of specifiers) if (isNodeOnly(specifier)) offending.push(`${module}: ${specifier}`);
    }
    expect(offending).toEqual([]);
  });

  it('keep the schema library out of runtime worker threads, which import only the error classes and the value walker', () => {
    const bare = (name: string, entry: string) => new Set([...importGraph(join(root, 'packages', name, entry)).values()].flat());
    const worker = bare('runtime-quickjs', 'dist/worker/entry.js');
    expect([...worker].filter((specifier) => specifier.startsWith('@scomp/') || specifier === 'typebox').sort()).toEqual([
      '@scomp/peer/errors',
      '@scomp/peer/values',
      '@scomp/protocol/utf8',
      '@scomp/protocol/value-rules',
    ]);
    expect([...bare('peer', 'dist/errors.js')]).toEqual(['@scomp/protocol/error-codes']);
    expect([...bare('peer', 'dist/values.js')].sort()).toEqual(['@scomp/protocol/error-codes', '@scomp/protocol/value-rules']);
    expect([...bare('protocol', 'dist/errorCodes.js')]).toEqual([]);
    expect([...bare('protocol', 'dist/valueRules.js')]).toEqual([]);
    expect([...bare('protocol', 'dist/utf8.js')]).toEqual([]);
  });

  it.each(libraries)('%s ships dist with declarations and an explicit exports map', (name) => {
    const pkg = JSON.parse(readFileSync(join(root, 'packages', name, 'package.json'), 'utf8'));
    expect(pkg.sideEffects).toBe(false);
    expect(pkg.files).toContain('dist');
    expect(Object.keys(pkg.exports['.'])[0]).toBe('types');
    expect(existsSync(join(root, 'packages', name, pkg.exports['.'].types))).toBe(true);
  });
});
