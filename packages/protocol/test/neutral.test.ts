import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { describe, expect, it } from 'vitest';

/** The built entry must run in browsers too: it may import only its own files and `typebox`. */
const distDir = new URL('../dist/', import.meta.url);
const builtins = new Set(builtinModules);

function specifiers(source: string): string[] {
  const found: string[] = [];
  const patterns = [
    /\b(?:import|export)\b[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const pattern of patterns) for (const match of source.matchAll(pattern)) found.push(match[1]!);
  return found;
}

describe('the built package', () => {
  const files = readdirSync(distDir, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.js'));

  it('has an entry point', () => {
    expect(files).toContain('index.js');
  });

  it('imports no Node built-in modules', () => {
    const offending = files.flatMap((file) =>
      specifiers(readFileSync(new URL(file, distDir), 'utf8'))
        .filter((specifier) => specifier.startsWith('node:') || builtins.has(specifier.split('/')[0]!))
        .map((specifier) => `${file}: ${specifier}`),
    );
    expect(offending).toEqual([]);
  });

  it('imports nothing but its own files and typebox', () => {
    const external = new Set(
      files.flatMap((file) => specifiers(readFileSync(new URL(file, distDir), 'utf8'))).filter((s) => !s.startsWith('.')),
    );
    expect(external).toContain('typebox');
    expect([...external].filter((specifier) => specifier !== 'typebox' && !specifier.startsWith('typebox/'))).toEqual([]);
  });
});
