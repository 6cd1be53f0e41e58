import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isBinding, type Binding } from '@scomp/peer';

export { isBinding };

const typeScriptFile = /\.(?:ts|mts|cts|tsx)$/;

/**
 * Loads bindings from a module: its default export (an array of bindings, or one binding) plus
 * every named export that is a binding. TypeScript modules are loaded through tsx.
 */
export async function loadBindings(modulePath: string, cwd: string = process.cwd()): Promise<Binding[]> {
  const file = resolve(cwd, modulePath);
  let namespace: Record<string, unknown>;
  try {
    namespace = typeScriptFile.test(file)
      ? ((await (await import('tsx/esm/api')).tsImport(pathToFileURL(file).href, import.meta.url)) as Record<string, unknown>)
      : ((await import(pathToFileURL(file).href)) as Record<string, unknown>);
  } catch (error) {
    throw new Error(`could not load bindings from ${modulePath}: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  return bindingsOf(namespace, modulePath);
}

/** The bindings a module namespace exports, each once, in export order (default first). */
export function bindingsOf(namespace: Record<string, unknown>, modulePath = 'the module'): Binding[] {
  const found = new Set<Binding>();
  const fromDefault = namespace.default;
  if (Array.isArray(fromDefault)) {
    fromDefault.forEach((value, index) => {
      if (!isBinding(value)) throw new Error(`${modulePath}: default export item ${index} is not a binding (use defineBinding)`);
      found.add(value);
    });
  } else if (isBinding(fromDefault)) {
    found.add(fromDefault);
  }
  for (const [name, value] of Object.entries(namespace)) {
    if (name !== 'default' && isBinding(value)) found.add(value);
  }
  if (found.size === 0) {
    throw new Error(`${modulePath} exports no bindings: export an array of defineBinding(...) results as default, or name each one`);
  }
  return [...found];
}
