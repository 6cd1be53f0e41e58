import type { Binding } from './binding.js';
import { InternalError } from './errors.js';

/** Where a binding's definition can be imported from: an ES module's URL and the name of its export. */
export interface BindingOrigin {
  /** Absolute URL of the module (`file:` for a module on disk). */
  readonly url: string;
  /** The export holding the binding (`'default'` for the default export). */
  readonly export: string;
}

/** Whether a value looks like what `defineBinding` returns. Duck-typed, so a module may use its own copy of the SDK. */
export function isBinding(value: unknown): value is Binding {
  if (typeof value !== 'object' || value === null) return false;
  const { meta, call } = value as { meta?: { name?: unknown }; call?: unknown };
  return typeof call === 'function' && typeof meta === 'object' && meta !== null && typeof meta.name === 'string';
}

/**
 * Imports the binding `origin` names, on whichever thread asks: the server's thread through
 * {@link moduleBinding}, and a runtime's own thread that runs the binding's calls there. Fails with
 * an InternalError naming the module when it cannot be imported or the export is not a binding.
 */
export async function importBinding(origin: BindingOrigin): Promise<Binding> {
  let namespace: Record<string, unknown>;
  try {
    namespace = (await import(origin.url)) as Record<string, unknown>;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new InternalError(`binding module ${origin.url} could not be imported: ${reason}`, { module: origin.url }, { cause: error });
  }
  const binding = namespace[origin.export];
  if (!isBinding(binding)) {
    throw new InternalError(`binding module ${origin.url} has no binding export ${origin.export} (export a defineBinding(...) result)`, {
      module: origin.url,
      export: origin.export,
    });
  }
  return binding;
}

/**
 * A binding defined in an ES module, named by the module's URL and the export. It serves like
 * any other binding on this thread (metadata, client invokes, a runtime on this thread), and it
 * carries its origin, so a runtime whose guest code runs on another thread imports the module
 * there and runs guest calls of it on the guest's own thread, without a hop to this one. Each
 * thread thus has its own copy of the module: state the handler keeps in module scope is per thread.
 *
 * ```ts
 * const add = await moduleBinding(new URL('./tools.js', import.meta.url), 'add');
 * ```
 */
export async function moduleBinding(url: URL | string, exportName = 'default'): Promise<Binding> {
  let href: string;
  try {
    href = new URL(url).href;
  } catch {
    throw new TypeError(`moduleBinding needs an absolute module URL (new URL('./tools.js', import.meta.url)), got ${String(url)}`);
  }
  const origin: BindingOrigin = Object.freeze({ url: href, export: exportName });
  const binding = await importBinding(origin);
  return Object.freeze({ meta: binding.meta, call: (args: unknown, context: Parameters<Binding['call']>[1]) => binding.call(args, context), origin });
}
