import Type, { type Static } from 'typebox';
import { JsonSchema } from './json.js';

/**
 * Binding names are identifiers, optionally dotted into namespaces (`db.query`).
 * A runtime exposes a dotted name as a nested property of a global namespace object.
 */
export const BINDING_NAME_PATTERN = '^[A-Za-z_$][A-Za-z0-9_$]*(\\.[A-Za-z_$][A-Za-z0-9_$]*)*$';
export const BindingName = Type.String({ pattern: BINDING_NAME_PATTERN, maxLength: 256 });

/**
 * What calling a binding may do to the world. Standard values are listed; extensions use an
 * `x-` prefix. Absent `effects` means "unknown", not "none".
 */
export const STANDARD_EFFECTS = ['pure', 'read', 'write', 'destructive', 'external'] as const;
export const Effect = Type.Union([
  ...STANDARD_EFFECTS.map((effect) => Type.Literal(effect)),
  Type.String({ pattern: '^x-[a-z0-9][a-z0-9-]*$' }),
]);
export type Effect = (typeof STANDARD_EFFECTS)[number] | `x-${string}`;

/** Advisory facts for callers and harnesses; never change semantics. Unknown keys are allowed. */
export const Hints = Type.Object(
  {
    idempotent: Type.Optional(Type.Boolean()),
    expectedDurationMs: Type.Optional(Type.Number({ minimum: 0 })),
    deprecated: Type.Optional(Type.Union([Type.Boolean(), Type.String()])),
    examples: Type.Optional(Type.Array(Type.Unknown())),
  },
  { additionalProperties: true },
);
export type Hints = Static<typeof Hints>;

/** The description of one binding, identical in shape for client- and server-declared bindings. */
export const BindingMeta = Type.Object(
  {
    name: BindingName,
    description: Type.Optional(Type.String()),
    input: JsonSchema,
    output: Type.Optional(JsonSchema),
    /** Definitions shared by `input` and `output`: their `#/$defs/Name` refs resolve here too (spec §11.3). */
    $defs: Type.Optional(Type.Record(Type.String(), JsonSchema)),
    effects: Type.Optional(Type.Array(Effect, { uniqueItems: true })),
    hints: Type.Optional(Hints),
  },
  // Unknown members are ignored (spec §3): binding-level extensions must not break older peers.
  { additionalProperties: true },
);
export type BindingMeta = Omit<Static<typeof BindingMeta>, 'effects'> & { effects?: Effect[] };
