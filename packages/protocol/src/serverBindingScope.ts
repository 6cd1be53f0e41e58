import Type, { type Static } from 'typebox';
import { Effect } from './bindings.js';

/**
 * A binding name, or a dotted name followed by `.*` for every binding below it (`db.*` matches
 * `db.query` and `db.admin.drop`, not `db`). `*` is not a name character, so the two never mix up.
 */
export const BINDING_PATTERN = '^[A-Za-z_$][A-Za-z0-9_$]*(\\.[A-Za-z_$][A-Za-z0-9_$]*)*(\\.\\*)?$';
export const BindingPattern = Type.String({ pattern: BINDING_PATTERN, maxLength: 258 });

/** Patterns one list may hold: enough for any real server, small enough to check in a blink. */
export const MAX_BINDING_PATTERNS = 1024;

const Patterns = Type.Array(BindingPattern, { maxItems: MAX_BINDING_PATTERNS });

/**
 * The handshake's `serverBindings` (spec §5.1): the client narrows the server bindings its session
 * sees and names those whose calls from guest code need its `confirm` first.
 */
export const ServerBindingScope = Type.Object(
  {
    /** Only the bindings matching one of these exist in the session. Absent: all of them. */
    only: Type.Optional(Patterns),
    /** Guest calls of bindings matching one of these ask the client's `confirm` first. */
    confirm: Type.Optional(Patterns),
    /** Guest calls of bindings declaring any of these effects ask the client's `confirm` first. */
    confirmEffects: Type.Optional(Type.Array(Effect, { maxItems: 64 })),
  },
  { additionalProperties: true },
);
export type ServerBindingScope = Omit<Static<typeof ServerBindingScope>, 'confirmEffects'> & { confirmEffects?: Effect[] };

/**
 * A test of names against patterns, in time linear in the name's length whatever the number of
 * patterns (patterns come from clients). Names are looked up in sets, so `__proto__` is data.
 */
export function bindingPatternMatcher(patterns: readonly string[]): (name: string) => boolean {
  const names = new Set<string>();
  const prefixes = new Set<string>();
  for (const pattern of patterns) {
    if (pattern.endsWith('.*')) prefixes.add(pattern.slice(0, -2));
    else names.add(pattern);
  }
  return (name) => {
    if (names.has(name)) return true;
    for (let dot = name.indexOf('.'); dot !== -1; dot = name.indexOf('.', dot + 1)) {
      if (prefixes.has(name.slice(0, dot))) return true;
    }
    return false;
  };
}

/** Whether every name `inner` matches is one that `outer` matches. */
function within(inner: string, outer: string): boolean {
  if (!outer.endsWith('.*')) return inner === outer;
  return inner.startsWith(outer.slice(0, -1));
}

/**
 * Two scopes combined as one that grants no more than either: `only` is what both let through,
 * `confirm` and `confirmEffects` what either gates. A component passes its upstream's scope
 * downstream this way with its own, so it can narrow further but never widen.
 */
export function combineScopes(a: ServerBindingScope | undefined, b: ServerBindingScope | undefined): ServerBindingScope | undefined {
  if (!a || !b) return a ?? b;
  const combined: ServerBindingScope = {};
  if (a.only && b.only) {
    const only = new Set<string>();
    for (const x of a.only) for (const y of b.only) {
      if (within(x, y)) only.add(x);
      else if (within(y, x)) only.add(y);
    }
    combined.only = [...only];
  } else if (a.only ?? b.only) combined.only = [...(a.only ?? b.only)!];
  if (a.confirm || b.confirm) combined.confirm = [...new Set([...(a.confirm ?? []), ...(b.confirm ?? [])])];
  if (a.confirmEffects || b.confirmEffects) {
    combined.confirmEffects = [...new Set([...(a.confirmEffects ?? []), ...(b.confirmEffects ?? [])])];
  }
  return combined;
}
