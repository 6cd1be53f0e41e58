import type { HostFunction } from '@scomp/peer';

export type Path = (string | number)[];

/** Splits a host value into JSON text and the functions it carries, with their paths. */
export function splitFunctions(value: unknown): { json: string | undefined; fns: HostFunction[]; paths: Path[] } {
  const fns: HostFunction[] = [];
  const paths: Path[] = [];
  const path: Path = [];
  const seen = new Set<object>();
  const strip = (node: unknown): unknown => {
    if (typeof node === 'function') {
      fns.push(node as HostFunction);
      paths.push(path.slice());
      return null;
    }
    if (typeof node !== 'object' || node === null) return node;
    if (seen.has(node)) throw new TypeError('value contains a cycle');
    seen.add(node);
    let out: unknown;
    if (Array.isArray(node)) {
      out = node.map((item, index) => {
        path.push(index);
        const converted = strip(item);
        path.pop();
        return converted;
      });
    } else {
      const record: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(node)) {
        path.push(key);
        record[key] = strip(item);
        path.pop();
      }
      out = record;
    }
    seen.delete(node);
    return out;
  };
  const stripped = strip(value);
  return { json: stripped === undefined ? undefined : JSON.stringify(stripped), fns, paths };
}

/** Puts functions back into a parsed value at their paths. */
export function placeFunctions(root: unknown, fns: readonly unknown[], paths: readonly Path[]): unknown {
  let out = root;
  paths.forEach((path, index) => {
    if (path.length === 0) {
      out = fns[index];
      return;
    }
    let target = out as Record<string | number, unknown>;
    for (const key of path.slice(0, -1)) target = target[key] as Record<string | number, unknown>;
    // Defined rather than assigned, so a key named `__proto__` stays an ordinary property.
    Object.defineProperty(target, path[path.length - 1]!, { value: fns[index], enumerable: true, writable: true, configurable: true });
  });
  return out;
}
