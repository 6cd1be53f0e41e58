/** The client binding that receives the runtime's console output; servers may not declare it. */
export const CONSOLE_BINDING = 'console';

/**
 * The first pair of names that would claim the same runtime global: equal names, or one a dotted
 * prefix of the other (`db` and `db.query`). `undefined` when the names can coexist.
 */
export function findNameClash(names: Iterable<string>): [string, string] | undefined {
  const sorted = [...names].sort();
  for (let i = 1; i < sorted.length; i++) {
    const previous = sorted[i - 1]!;
    const current = sorted[i]!;
    if (current === previous || current.startsWith(`${previous}.`)) return [previous, current];
  }
  // A prefix can be separated from its extension by names sorting between them ('db', 'db-x', 'db.q').
  const set = new Set(sorted);
  for (const name of sorted) {
    const parts = name.split('.');
    for (let end = 1; end < parts.length; end++) {
      const prefix = parts.slice(0, end).join('.');
      if (set.has(prefix)) return [prefix, name];
    }
  }
  return undefined;
}
