import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { describe, expect, it } from 'vitest';
import { noNodeImports } from '../build/noNodeImports.js';

function bundle(fixture: string) {
  return build({
    configFile: false,
    logLevel: 'silent',
    plugins: [noNodeImports()],
    build: {
      write: false,
      lib: { entry: fileURLToPath(new URL(`./fixtures/${fixture}`, import.meta.url)), formats: ['es'], fileName: 'out' },
    },
  });
}

describe('the playground build', () => {
  it('fails when a module imports a node: built-in', async () => {
    await expect(bundle('usesNodeFs.ts')).rejects.toThrow(/must not import Node modules: "node:fs"/);
  });

  it('fails when a module imports a built-in by its bare name', async () => {
    await expect(bundle('usesBareBuiltin.ts')).rejects.toThrow(/must not import Node modules: "events"/);
  });

  it('bundles browser-only code', async () => {
    const output = await bundle('browserOnly.ts');
    const chunks = (Array.isArray(output) ? output : [output]).flatMap((result) => ('output' in result ? result.output : []));
    expect(chunks.some((chunk) => chunk.type === 'chunk' && chunk.code.includes('performance.now'))).toBe(true);
  });
});
