import Type, { type Static } from 'typebox';
import { JsonSchema } from './json.js';
import { SENTINEL_KEY } from './valueRules.js';

export { SENTINEL_KEY };

export const FunctionRefId = Type.String({ minLength: 1, maxLength: 128 });

/** `{"$scomp":{"kind":"fn","id":…}}`: a callable passed across the wire, invoked with `invoke` by `ref`. */
export const FunctionRef = Type.Object(
  {
    $scomp: Type.Object(
      {
        kind: Type.Literal('fn'),
        id: FunctionRefId,
        input: Type.Optional(JsonSchema),
        output: Type.Optional(JsonSchema),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type FunctionRef = Static<typeof FunctionRef>;

/** True when `value` is shaped like any `$scomp` sentinel (well-formed or not). */
export function hasSentinelKey(value: unknown): value is { $scomp: unknown } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && SENTINEL_KEY in value;
}
