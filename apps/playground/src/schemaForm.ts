/** A JSON Schema as it comes over the wire. */
export type Schema = Record<string, unknown>;

export interface Field {
  readonly name: string;
  readonly required: boolean;
  readonly kind: 'string' | 'number' | 'integer' | 'boolean' | 'enum' | 'json';
  /** Choices of an enum field. */
  readonly options?: readonly unknown[];
  readonly description?: string;
}

/**
 * The form fields for a binding's input schema: one per property of an object schema, typed
 * from the property's schema (nested objects and arrays are edited as JSON). Undefined when the
 * input is not an object with properties; the form then takes the whole argument as JSON.
 */
export function formFields(input: Schema): Field[] | undefined {
  const schema = resolve(input, input);
  const properties = schema.properties;
  if (schema.type !== 'object' || typeof properties !== 'object' || properties === null) return undefined;
  const required = new Set(Array.isArray(schema.required) ? schema.required : []);
  return Object.entries(properties as Record<string, Schema>).map(([name, property]) => {
    const resolved = resolve(property, input);
    const options = choices(resolved);
    const description = typeof resolved.description === 'string' ? resolved.description : undefined;
    const base = { name, required: required.has(name), ...(description ? { description } : {}) };
    if (options) return { ...base, kind: 'enum', options };
    const type = resolved.type;
    if (type === 'string' || type === 'number' || type === 'integer' || type === 'boolean') return { ...base, kind: type };
    return { ...base, kind: 'json' };
  });
}

/** Builds the call's arguments from the form's inputs. Throws an Error naming the field that is wrong. */
export function argsFromForm(fields: readonly Field[], values: Readonly<Record<string, string | boolean>>): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  for (const field of fields) {
    const raw = values[field.name];
    if (field.kind === 'boolean') {
      if (raw !== undefined || field.required) args[field.name] = raw === true;
      continue;
    }
    const text = typeof raw === 'string' ? raw : '';
    if (text === '') {
      if (field.required) throw new Error(`${field.name} is required`);
      continue;
    }
    if (field.kind === 'string') args[field.name] = text;
    else if (field.kind === 'enum') args[field.name] = field.options?.find((option) => String(option) === text) ?? text;
    else if (field.kind === 'number' || field.kind === 'integer') {
      const number = Number(text);
      if (!Number.isFinite(number) || (field.kind === 'integer' && !Number.isInteger(number))) {
        throw new Error(`${field.name} must be ${field.kind === 'integer' ? 'an integer' : 'a number'}`);
      }
      args[field.name] = number;
    } else {
      try {
        args[field.name] = JSON.parse(text);
      } catch {
        throw new Error(`${field.name} must be JSON`);
      }
    }
  }
  return args;
}

/** Follows a local `$ref` (`#/$defs/Name`) against the schema document it came from. */
function resolve(schema: Schema, root: Schema, depth = 0): Schema {
  const ref = schema.$ref;
  if (typeof ref !== 'string' || depth > 16) return schema;
  const match = /^#\/(\$defs|definitions)\/(.+)$/.exec(ref);
  const defs = match ? (root[match[1]!] as Record<string, Schema> | undefined) : undefined;
  const target = match && defs ? defs[decodeURIComponent(match[2]!)] : undefined;
  return target ? resolve(target, root, depth + 1) : schema;
}

function choices(schema: Schema): unknown[] | undefined {
  if (Array.isArray(schema.enum)) return schema.enum as unknown[];
  const union = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (Array.isArray(union) && union.length > 0 && union.every((member) => 'const' in member)) {
    return union.map((member) => member.const);
  }
  return undefined;
}
