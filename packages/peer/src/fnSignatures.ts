import { compileSchema, type JsonSchema, type Validator } from '@scomp/protocol';
import { withPlaceholders } from './codec.js';
import { InvalidParamsError } from './errors.js';
import type { HostFunction } from './runtime.js';

/** What a sentinel may say about the function it stands for (spec §8.1). */
export interface FnSignature {
  input?: JsonSchema;
  output?: JsonSchema;
}

const MAX_DEPTH = 64;

/**
 * The signatures a schema declares for the functions inside `value`: walking the value alongside
 * the schema (properties, items, local `$ref`s, `allOf`/`anyOf`/`oneOf`), each function found where
 * the schema carries `x-scomp-fn` gets that signature. Functions the schema says nothing about are
 * absent. The signature's schemas are made self-contained: refs into the root's `$defs` keep working.
 */
export function fnSignatures(schema: unknown, value: unknown): Map<HostFunction, FnSignature> {
  const found = new Map<HostFunction, FnSignature>();
  if (isRecord(schema)) visit(schema, value, schema, found, 0);
  return found;
}

function visit(
  schema: unknown,
  value: unknown,
  root: Record<string, unknown>,
  found: Map<HostFunction, FnSignature>,
  depth: number,
): void {
  if (!isRecord(schema) || depth > MAX_DEPTH || value === null || (typeof value !== 'object' && typeof value !== 'function')) return;
  if (typeof schema.$ref === 'string') visit(resolve(root, schema.$ref), value, root, found, depth + 1);
  for (const key of ['allOf', 'anyOf', 'oneOf'] as const) {
    const members = schema[key];
    if (Array.isArray(members)) for (const member of members) visit(member, value, root, found, depth + 1);
  }
  if (typeof value === 'function') {
    const fn = schema['x-scomp-fn'];
    if (isRecord(fn) && !found.has(value as HostFunction)) found.set(value as HostFunction, signature(fn, root));
    return;
  }
  if (Array.isArray(value)) {
    const prefix = Array.isArray(schema.prefixItems) ? schema.prefixItems : [];
    value.forEach((item, index) => visit(index < prefix.length ? prefix[index] : schema.items, item, root, found, depth + 1));
    return;
  }
  const properties = isRecord(schema.properties) ? schema.properties : {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    visit(Object.hasOwn(properties, key) ? properties[key] : schema.additionalProperties, item, root, found, depth + 1);
  }
}

function signature(fn: Record<string, unknown>, root: Record<string, unknown>): FnSignature {
  const result: FnSignature = {};
  for (const role of ['input', 'output'] as const) {
    const schema = fn[role];
    if (schema === undefined || (typeof schema !== 'boolean' && !isRecord(schema))) continue;
    result[role] = selfContained(schema as JsonSchema, root);
  }
  return result;
}

/** A signature schema refers to the binding's definitions with `#/$defs/…`; it carries them along. */
function selfContained(schema: JsonSchema, root: Record<string, unknown>): JsonSchema {
  if (!isRecord(schema) || !isRecord(root.$defs) || !JSON.stringify(schema).includes('"$ref"')) return schema;
  return { ...schema, $defs: { ...root.$defs, ...(isRecord(schema.$defs) ? schema.$defs : {}) } } as JsonSchema;
}

function resolve(root: unknown, ref: string): unknown {
  if (!ref.startsWith('#')) return undefined;
  let node: unknown = root;
  for (const segment of ref.slice(1).split('/').filter(Boolean)) {
    const key = segment.replaceAll('~1', '/').replaceAll('~0', '~');
    node = isRecord(node) && Object.hasOwn(node, key) ? node[key] : undefined;
  }
  return node;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Compiled sentinel schemas, shared: the same signature arrives again with every new reference. */
const validators = new Map<string, Validator>();
const MAX_VALIDATORS = 256;

/** Refuses `args` that break a sentinel's `input` schema with InvalidParams naming the issues. */
export function checkSignatureArgs(input: JsonSchema, args: unknown): void {
  const validator = signatureValidator(input);
  const checked = withPlaceholders(args);
  if (!validator.check(checked)) throw InvalidParamsError.fromIssues(validator.issues(checked));
}

/** A validator for a sentinel's `input` schema, compiled once per distinct schema. */
function signatureValidator(schema: JsonSchema): Validator {
  const key = JSON.stringify(schema);
  let validator = validators.get(key);
  if (!validator) {
    validator = compileSchema(schema);
    if (validators.size >= MAX_VALIDATORS) validators.delete(validators.keys().next().value!);
    validators.set(key, validator);
  }
  return validator;
}
