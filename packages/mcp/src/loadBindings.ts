import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isBinding, moduleBinding, type Binding } from '@scomp/peer';

export { isBinding };

const typeScriptFile = /\.(?:ts|mts|cts|tsx)$/;

/**
 * Loads bindings from a module: its default export (an array of bindings, or one binding) plus
 * every named export that is a binding. TypeScript modules are loaded through tsx.
 */
export async function loadBindings(modulePath: string, cwd: string = process.cwd()): Promise<Binding[]> {
  const file = resolve(cwd, modulePath);
  return bindingsOf(await importModule(file, modulePath), modulePath);
}

/**
 * Loads a JavaScript module's bindings as module bindings (`moduleBinding`): the runtime's worker
 * threads import the module themselves and run guest calls of them there, without a hop to this
 * thread. Every binding must be a named export or the single default export (an array item has no
 * name a thread could import it by). TypeScript is refused: worker threads load plain JavaScript.
 */
export async function loadModuleBindings(modulePath: string, cwd: string = process.cwd()): Promise<Binding[]> {
  const file = resolve(cwd, modulePath);
  if (typeScriptFile.test(file)) {
    throw new Error(`${modulePath}: bindings that run on the runtime's threads must be JavaScript (.js/.mjs); worker threads load no TypeScript`);
  }
  const namespace = await importModule(file, modulePath);
  if (Array.isArray(namespace.default)) {
    throw new Error(`${modulePath}: a default export array cannot be imported by name on the runtime's threads; export each binding by name`);
  }
  const named = new Map<Binding, string>();
  for (const [name, value] of Object.entries(namespace)) if (isBinding(value) && !named.has(value)) named.set(value, name);
  if (named.size === 0) bindingsOf(namespace, modulePath);
  const url = pathToFileURL(file);
  return Promise.all([...named.values()].map((name) => moduleBinding(url, name)));
}

async function importModule(file: string, modulePath: string): Promise<Record<string, unknown>> {
  try {
    return typeScriptFile.test(file)
      ? ((await (await import('tsx/esm/api')).tsImport(pathToFileURL(file).href, import.meta.url)) as Record<string, unknown>)
      : ((await import(pathToFileURL(file).href)) as Record<string, unknown>);
  } catch (error) {
    throw new Error(`could not load bindings from ${modulePath}: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
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
