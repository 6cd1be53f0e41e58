import { builtinModules } from 'node:module';
import type { Plugin } from 'vite';

const nodeBuiltins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

/**
 * Fails the build when anything in the page imports a Node built-in: the page runs in a browser,
 * and a bundler would otherwise stub the module out and leave the failure for run time.
 */
export function noNodeImports(): Plugin {
  return {
    name: 'scomp-no-node-imports',
    enforce: 'pre',
    resolveId(source, importer) {
      if (nodeBuiltins.has(source) || source.startsWith('node:')) {
        this.error(`the playground must not import Node modules: "${source}" imported by ${importer ?? 'the entry'}`);
      }
      return null;
    },
  };
}

