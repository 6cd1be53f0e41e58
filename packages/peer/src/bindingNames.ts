import { InvalidParamsError } from './errors.js';

interface NameNode {
  /** A binding is installed here. */
  end: boolean;
  children: Map<string, NameNode>;
}

/**
 * The first pair of names that would claim the same runtime global: equal names, or one a dotted
 * prefix of the other (`db` and `db.query`). `undefined` when the names can coexist. Linear in the
 * total length of the names (a tree of their dotted parts), since it may run on untrusted input.
 */
export function findNameClash(names: Iterable<string>): [string, string] | undefined {
  const root: NameNode = { end: false, children: new Map() };
  const owners = new Map<NameNode, string>();
  for (const name of names) {
    let node = root;
    let start = 0;
    for (;;) {
      const dot = name.indexOf('.', start);
      const part = dot === -1 ? name.slice(start) : name.slice(start, dot);
      let next = node.children.get(part);
      if (!next) node.children.set(part, (next = { end: false, children: new Map() }));
      node = next;
      if (dot === -1) break;
      // A shorter name already ends here: it is a dotted prefix of this one.
      if (node.end) return [owners.get(node)!, name];
      start = dot + 1;
    }
    if (node.end) return [owners.get(node)!, name];
    // A longer name already passes through here: this one is its dotted prefix.
    if (node.children.size > 0) return [name, longestBelow(node, name)];
    node.end = true;
    owners.set(node, name);
  }
  return undefined;
}

/** Some name installed below `node` (the one found first), spelt out from `prefix`. */
function longestBelow(node: NameNode, prefix: string): string {
  let name = prefix;
  let current = node;
  while (!current.end) {
    const [part, child] = current.children.entries().next().value as [string, NameNode];
    name += `.${part}`;
    current = child;
  }
  return name;
}

/**
 * The first name whose top-level part is one of the runtime's own globals (`NaN`, `Object`,
 * `setTimeout`, …), which a binding must not replace. `undefined` when there is none.
 */
export function findReservedName(names: Iterable<string>, reserved: ReadonlySet<string> | undefined): string | undefined {
  if (!reserved || reserved.size === 0) return undefined;
  for (const name of names) {
    const dot = name.indexOf('.');
    if (reserved.has(dot === -1 ? name : name.slice(0, dot))) return name;
  }
  return undefined;
}

/** The error for a binding name that would replace one of the sandbox's own globals. */
export function reservedNameError(name: string): InvalidParamsError {
  const global = name.split('.', 1)[0]!;
  return new InvalidParamsError(`binding name ${name} clashes with the runtime's global ${global}`, { name, global });
}
