import type { SchemaDef } from './schemaToTs.js';

/** Words that cannot name a function, namespace or type alias. */
export const RESERVED_WORDS: ReadonlySet<string> = new Set(
  (
    'break case catch class const continue debugger default delete do else enum export extends false finally for ' +
    'function if import in instanceof new null return super switch this throw true try typeof var void while with ' +
    'implements interface let package private protected public static yield await eval arguments'
  ).split(' '),
);

/** Built-in names a global declaration would clash with. */
export const BUILT_IN_NAMES: ReadonlySet<string> = new Set(
  (
    'Array ArrayBuffer Atomics BigInt BigInt64Array BigUint64Array Boolean DataView Date Error EvalError ' +
    'FinalizationRegistry Float32Array Float64Array Function Infinity Int8Array Int16Array Int32Array Intl JSON Map ' +
    'Math NaN Number Object Promise Proxy RangeError ReferenceError Reflect RegExp Set SharedArrayBuffer String ' +
    'Symbol SyntaxError TypeError URIError Uint8Array Uint8ClampedArray Uint16Array Uint32Array WeakMap WeakRef ' +
    'WeakSet AggregateError SuppressedError DisposableStack AsyncDisposableStack globalThis undefined decodeURI ' +
    'decodeURIComponent encodeURI encodeURIComponent escape unescape isFinite isNaN parseFloat parseInt ' +
    'Partial Required Readonly Pick Record Exclude Extract Omit NonNullable Parameters ConstructorParameters ' +
    'ReturnType InstanceType Awaited Uppercase Lowercase Capitalize Uncapitalize NoInfer ThisType ThisParameterType ' +
    'OmitThisParameter PromiseLike PromiseConstructorLike ArrayLike Iterable Iterator IterableIterator ' +
    'AsyncIterable AsyncIterator AsyncIterableIterator Generator AsyncGenerator PropertyKey PropertyDescriptor ' +
    'ReadonlyArray ReadonlyMap ReadonlySet TemplateStringsArray TypedPropertyDescriptor CallableFunction ' +
    'NewableFunction IArguments ArrayBufferLike ArrayBufferView Disposable AsyncDisposable ' +
    'any unknown never string number boolean symbol object bigint intrinsic'
  ).split(' '),
);

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `db.query` → `DbQuery`, `order-item` → `OrderItem`. */
export function pascalCase(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/** A usable type alias name for a definition named `raw` in its schema. */
function typeName(raw: string): string {
  let name = IDENTIFIER.test(raw) ? raw : pascalCase(raw);
  if (name === '') name = 'Def';
  if (/^[0-9]/.test(name)) name = `_${name}`;
  return RESERVED_WORDS.has(name) || BUILT_IN_NAMES.has(name) ? `${name}_` : name;
}

function baseName(def: SchemaDef): string {
  const last = def.segments.at(-1);
  if (last === undefined) return `${pascalCase(def.document.owner) || 'Binding'}${def.document.role}`;
  const parent = def.segments.at(-2);
  // Names under `$defs` are the author's; other pointers (`#/properties/home`) yield a type-like name.
  return parent === '$defs' || parent === 'definitions' ? last : pascalCase(last);
}

/**
 * JSON with sorted keys, so equal schemas compare equal as text; undefined when too large or cyclic.
 */
function canonical(value: unknown): string | undefined {
  let budget = 100_000;
  const path = new Set<object>();
  const print = (node: unknown): string => {
    if (typeof node !== 'object' || node === null) return JSON.stringify(node) ?? 'null';
    if (path.has(node) || --budget < 0) throw new RangeError('schema too large to compare');
    path.add(node);
    const text = Array.isArray(node)
      ? `[${node.map(print).join(',')}]`
      : `{${Object.keys(node)
          .sort()
          .map((key) => `${JSON.stringify(key)}:${print((node as Record<string, unknown>)[key])}`)
          .join(',')}}`;
    path.delete(node);
    return text;
  };
  try {
    return print(value);
  } catch {
    return undefined;
  }
}

/**
 * A definition's identity: its schema and every (pointer, schema) pair its refs reach, so two
 * equal-looking definitions stay apart when their refs lead to different schemas.
 */
function closureKey(def: SchemaDef, defs: readonly SchemaDef[], schemaIds: readonly number[]): string {
  const seen = new Set([def.id]);
  const stack = [...def.refs];
  const pairs: string[] = [];
  for (let id = stack.pop(); id !== undefined; id = stack.pop()) {
    if (seen.has(id) || !seen.add(id)) continue;
    const reached = defs[id]!;
    pairs.push(`${JSON.stringify(reached.segments)}=${schemaIds[id]}`);
    stack.push(...reached.refs);
  }
  return `${schemaIds[def.id]}:${pairs.sort().join(',')}`;
}

export interface DefNames {
  /** Type alias name per definition id. */
  readonly names: readonly string[];
  /** One definition per distinct type, in first-seen order. */
  readonly distinct: readonly SchemaDef[];
}

/**
 * Names definitions. Definitions with the same name and the same reachable schemas (as in a
 * shared `Order` re-declared by several bindings) become one type; different schemas under one
 * name are told apart by the binding that declares them (`GetOrderOrder`), never merged.
 */
export function nameDefs(defs: readonly SchemaDef[]): DefNames {
  // Equal schemas share an id; a schema that cannot be printed gets an id of its own.
  const texts = new Map<string, number>();
  const schemaIds = defs.map(({ schema, id }) => {
    const text = canonical(schema);
    if (text === undefined) return -1 - id;
    if (!texts.has(text)) texts.set(text, id);
    return texts.get(text)!;
  });
  const classes = new Map<string, SchemaDef[]>();
  for (const def of defs) {
    const key = `${baseName(def)}\u0000${closureKey(def, defs, schemaIds)}`;
    const members = classes.get(key);
    if (members === undefined) classes.set(key, [def]);
    else members.push(def);
  }
  const perBase = new Map<string, number>();
  for (const [first] of classes.values()) perBase.set(baseName(first!), (perBase.get(baseName(first!)) ?? 0) + 1);

  const taken = new Set<string>();
  const names: string[] = [];
  const distinct: SchemaDef[] = [];
  for (const members of classes.values()) {
    const first = members[0]!;
    const base = typeName(baseName(first));
    const owner = pascalCase(first.document.owner);
    const candidates =
      perBase.get(baseName(first)) === 1 ? [base] : [`${owner}${base}`, `${owner}${first.document.role}${base}`];
    let name = candidates.find((candidate) => !taken.has(candidate));
    for (let n = 2; name === undefined; n++) if (!taken.has(`${candidates[0]}${n}`)) name = `${candidates[0]}${n}`;
    taken.add(name);
    distinct.push(first);
    for (const member of members) names[member.id] = name;
  }
  return { names, distinct };
}
