import Type, { type Static } from 'typebox';

/** Any JSON value. Used where the protocol carries application data. */
export const JsonValue = Type.Unknown({ description: 'Any JSON value' });
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A JSON Schema document (draft 2020-12). `$defs`/`$ref` are allowed. */
export const JsonSchema = Type.Union([Type.Object({}, { additionalProperties: true }), Type.Boolean()], {
  description: 'A JSON Schema (draft 2020-12) object or boolean schema',
});
export type JsonSchema = Static<typeof JsonSchema>;
