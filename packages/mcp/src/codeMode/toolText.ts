import type { BindingMeta } from '@scomp/protocol';
import { renderDeclarations } from '@scomp/peer/declarations';

/**
 * Above this many characters of declarations, the `eval` description lists binding names only and
 * a `describe` tool gives the declarations on demand. 8000 characters is about 2000 tokens: a
 * dozen typical bindings fit, and a model client that loads every tool description into every
 * turn is not made to carry hundreds.
 */
export const DEFAULT_DESCRIBE_THRESHOLD_CHARS = 8000;

const PREAMBLE = `Runs JavaScript (ES2023) in a persistent sandboxed runtime and returns the value of the last expression.
State persists across calls: a top-level const, let, function or class declared in one call is visible in the next (use the reset tool to start afresh).
Call bindings as async functions and await them: \`const orders = await listOrders({ status: 'paid' })\`; dotted names are namespaces (\`await memory.read_graph()\`).
Compose many calls in one eval (loops, Promise.all, filtering) and return only what you need: intermediate results never reach you.
console.log output is returned in logs. The runtime has no network or file system: bindings are its only way out.`;

/** The `eval` tool's description for these bindings, and whether `describe` is needed. */
export function evalDescription(
  bindings: readonly BindingMeta[],
  options: { thresholdChars: number; confirm: boolean },
): { description: string; describe: boolean } {
  const confirm = options.confirm
    ? '\n`await confirm({ message })` asks the user and resolves to true or false.'
    : '';
  const declarations = renderDeclarations(bindings);
  if (declarations.length <= options.thresholdChars) {
    return {
      description: `${PREAMBLE}${confirm}\n\nBindings (TypeScript declarations):\n\n${declarations}`,
      describe: false,
    };
  }
  const names = bindings
    .map((meta) => meta.name)
    .filter((name) => name !== 'console')
    .sort();
  return {
    description: `${PREAMBLE}${confirm}\n\nBindings (call the describe tool for their TypeScript declarations before using them): ${names.join(', ')}`,
    describe: true,
  };
}

/** Declarations of the bindings whose name or description contains one of the query's words. */
export function describeBindings(bindings: readonly BindingMeta[], query: string): string {
  const words = query.toLowerCase().split(/\s+/).filter((word) => word !== '');
  const matches = bindings.filter((meta) => {
    const text = `${meta.name} ${meta.description ?? ''}`.toLowerCase();
    return words.length === 0 || words.some((word) => text.includes(word));
  });
  if (matches.length === 0) return `No binding matches "${query}". Bindings: ${bindings.map((meta) => meta.name).sort().join(', ')}`;
  return renderDeclarations(matches);
}
