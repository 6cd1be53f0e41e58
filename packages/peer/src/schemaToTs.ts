/**
 * JSON Schema (draft 2020-12) to TypeScript type text. Local `$ref`s become tokens that name a
 * definition in the registry; the caller names the definitions and substitutes the tokens, so
 * every definition is rendered once and recursive schemas never loop.
 */
import {
  NEVER,
  UNKNOWN,
  indent,
  intersection,
  isRecord,
  jsDoc,
  literal,
  propertyKey,
  schemaDocLines,
  union,
  wrap,
  type TsType,
} from './tsText.js';

/** One JSON Schema document: local `$ref`s inside it resolve against `root`. */
export interface SchemaDocument {
  readonly root: unknown;
  /** The binding the document belongs to, used to name colliding definitions. */
  readonly owner: string;
  readonly role: 'Input' | 'Output';
}

/** A schema reached through a local `$ref`, rendered once as a named type. */
export interface SchemaDef {
  readonly id: number;
  readonly document: SchemaDocument;
  /** The decoded JSON Pointer segments of the target; empty for the document root. */
  readonly segments: readonly string[];
  readonly schema: unknown;
  /** Type text with tokens; empty until {@link TypeRenderer.renderDefs} runs. */
  body: string;
  /** Every definition the body refers to. */
  readonly refs: Set<number>;
  /** Definitions referred to where TS resolves them eagerly (outside object and function types). */
  readonly eagerRefs: Set<number>;
}

interface Context {
  readonly document: SchemaDocument;
  readonly depth: number;
  /** The definition whose body is being rendered, if any. */
  readonly owner: SchemaDef | undefined;
  /** Whether TS resolves a reference here eagerly; a circular one there is an error. */
  readonly eager: boolean;
  /** Inside a tuple, where TS resolves even array element types eagerly. */
  readonly tuple: boolean;
}

/** Nesting past this renders as `unknown`. */
const MAX_DEPTH = 32;
/** Refs past this many distinct definitions render as `unknown`. */
const MAX_DEFS = 500;
/** Schemas past this many, over all bindings, render as `unknown`. */
const MAX_NODES = 20_000;

// eslint-disable-next-line no-control-regex -- U+0001 delimits placeholders because no schema text contains it
const TOKEN = /\u0001(\d+)([eg])\u0001/g;

function own(record: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** Replaces ref tokens in `text`; `eager` tells whether the ref sits where TS resolves it eagerly. */
export function replaceTokens(text: string, nameOf: (id: number, eager: boolean) => string): string {
  return text.replace(TOKEN, (_, id: string, kind: string) => nameOf(Number(id), kind === 'e'));
}

/** Decodes a local JSON Pointer ref (`#`, `#/$defs/Name`); undefined for anything else. */
function parsePointer(ref: string): string[] | undefined {
  if (ref === '#') return [];
  if (!ref.startsWith('#/')) return undefined;
  try {
    return ref
      .slice(2)
      .split('/')
      .map((segment) => decodeURIComponent(segment).replace(/~1/g, '/').replace(/~0/g, '~'));
  } catch {
    return undefined;
  }
}

function resolvePointer(root: unknown, segments: readonly string[]): unknown {
  let node = root;
  for (const segment of segments) {
    if (Array.isArray(node) && /^(0|[1-9]\d*)$/.test(segment)) node = node[Number(segment)];
    else if (isRecord(node)) node = own(node, segment);
    else return undefined;
  }
  return node;
}

/** Follows `$ref` chains (bounded) to the schema they name. */
export function dereference(schema: unknown, document: SchemaDocument): unknown {
  let current = schema;
  for (let hops = 0; hops < MAX_DEPTH && isRecord(current) && typeof current.$ref === 'string'; hops++) {
    const segments = parsePointer(current.$ref);
    current = segments === undefined ? true : resolvePointer(document.root, segments);
  }
  return current;
}

/**
 * Whether a value of this schema may be omitted as a call argument: unconstrained schemas and
 * objects without required properties.
 */
export function acceptsNoArgs(schema: unknown, document: SchemaDocument, memo = new Map<object, boolean>()): boolean {
  const target = dereference(schema, document);
  if (target === undefined || target === true) return true;
  if (!isRecord(target)) return false;
  const known = memo.get(target);
  if (known !== undefined) return known;
  // Reaching this schema again through its own refs adds no constraint.
  memo.set(target, true);
  const types = typeof target.type === 'string' ? [target.type] : target.type;
  const all = Array.isArray(target.allOf) ? target.allOf : [];
  const some = [target.anyOf, target.oneOf].filter(Array.isArray);
  const accepts =
    target['x-scomp-fn'] === undefined &&
    !isFunctionRefShape(target) &&
    !Object.hasOwn(target, 'const') &&
    !Array.isArray(target.enum) &&
    !(Array.isArray(types) && !types.includes('object')) &&
    !(Array.isArray(target.required) && target.required.length > 0) &&
    all.every((member) => acceptsNoArgs(member, document, memo)) &&
    some.every((members) => members.some((member) => acceptsNoArgs(member, document, memo)));
  memo.set(target, accepts);
  return accepts;
}

/** Renders schemas of many documents, collecting the definitions their refs reach. */
export class TypeRenderer {
  readonly defs: SchemaDef[] = [];
  private readonly index = new Map<SchemaDocument, Map<string, SchemaDef>>();
  private rendered = 0;
  private budget = MAX_NODES;
  private readonly path = new Set<object>();

  /** A reference to definition `id`, to be replaced by its name; `eager` as in {@link Context}. */
  static token(id: number, eager = false): string {
    return `\u0001${id}${eager ? 'e' : 'g'}\u0001`;
  }

  /** Renders `schema` outside any definition (a function signature). */
  type(schema: unknown, document: SchemaDocument): TsType {
    return this.render(schema, { document, depth: 0, owner: undefined, eager: false, tuple: false });
  }

  /** The definition standing for a whole document, when something refers to it with `#`. */
  rootDef(document: SchemaDocument): SchemaDef | undefined {
    return this.index.get(document)?.get('[]');
  }

  /** Renders the bodies of all definitions found so far, and of those their bodies reach. */
  renderDefs(): void {
    for (; this.rendered < this.defs.length; this.rendered++) {
      const def = this.defs[this.rendered]!;
      const context = { document: def.document, depth: 0, owner: def, eager: true, tuple: false };
      def.body = this.render(def.schema, context).text;
    }
  }

  private render(schema: unknown, context: Context): TsType {
    if (schema === false) return NEVER;
    // Schemas built in memory (not parsed from JSON) may contain themselves or share parts.
    if (!isRecord(schema) || context.depth > MAX_DEPTH || this.path.has(schema) || --this.budget < 0) return UNKNOWN;
    this.path.add(schema);
    try {
      return this.renderRecord(schema, context);
    } finally {
      this.path.delete(schema);
    }
  }

  private renderRecord(schema: Record<string, unknown>, context: Context): TsType {
    const inner = { ...context, depth: context.depth + 1 };
    const fn = schema['x-scomp-fn'];
    if (fn !== undefined || isFunctionRefShape(schema)) return this.fn(isRecord(fn) ? fn : {}, inner);
    const parts: TsType[] = [];
    if (typeof schema.$ref === 'string') parts.push(this.ref(schema.$ref, context));
    parts.push(this.ownType(schema, inner));
    for (const key of ['anyOf', 'oneOf'] as const) {
      const members = schema[key];
      if (Array.isArray(members)) parts.push(union(members.map((member) => this.render(member, inner))));
    }
    if (Array.isArray(schema.allOf)) parts.push(...schema.allOf.map((member) => this.render(member, inner)));
    const type = intersection(parts);
    return schema.nullable === true ? union([type, { text: 'null', prec: 3 }]) : type;
  }

  private ownType(schema: Record<string, unknown>, context: Context): TsType {
    if (Object.hasOwn(schema, 'const')) return literal(schema.const);
    if (Array.isArray(schema.enum)) return union(schema.enum.map(literal));
    let types: unknown[] = [];
    if (typeof schema.type === 'string') types = [schema.type];
    else if (Array.isArray(schema.type)) types = schema.type;
    else if (['properties', 'additionalProperties', 'patternProperties', 'required'].some((k) => k in schema))
      types = ['object'];
    else if ('items' in schema || 'prefixItems' in schema) types = ['array'];
    const rendered = types.map((type) => this.typed(type, schema, context));
    return rendered.length === 0 ? UNKNOWN : union(rendered);
  }

  private typed(type: unknown, schema: Record<string, unknown>, context: Context): TsType {
    switch (type) {
      case 'string':
      case 'boolean':
      case 'null':
        return { text: type, prec: 3 };
      case 'number':
      case 'integer':
        return { text: 'number', prec: 3 };
      case 'object':
        return this.object(schema, { ...context, eager: false, tuple: false });
      case 'array':
        return this.array(schema, context);
      default:
        return UNKNOWN;
    }
  }

  private object(schema: Record<string, unknown>, context: Context): TsType {
    const properties = isRecord(schema.properties) ? schema.properties : {};
    const listed = Array.isArray(schema.required) ? schema.required : [];
    const required = new Set(listed.filter((name) => typeof name === 'string'));
    const names = [...Object.keys(properties), ...[...required].filter((name) => !Object.hasOwn(properties, name))];
    const lines: string[] = [];
    for (const name of names) {
      const property = Object.hasOwn(properties, name) ? properties[name] : true;
      const type = this.render(property, context);
      lines.push(...jsDoc(schemaDocLines(property)));
      lines.push(`${propertyKey(name)}${required.has(name) ? '' : '?'}: ${type.text};`);
    }
    const extra: TsType[] = [];
    const additional = schema.additionalProperties;
    if (additional !== undefined && additional !== false) extra.push(this.render(additional, context));
    if (isRecord(schema.patternProperties))
      extra.push(...Object.values(schema.patternProperties).map((s) => this.render(s, context)));
    const index = extra.length > 0 ? union(extra) : names.length === 0 && additional !== false ? UNKNOWN : undefined;
    if (names.length === 0) {
      return { text: index === undefined ? 'Record<string, never>' : `{ [key: string]: ${index.text} }`, prec: 3 };
    }
    // A typed index signature must admit every property's type, so it goes into its own member.
    if (index?.text === 'unknown') lines.push('[key: string]: unknown;');
    const block = `{\n${indent(lines.join('\n'))}\n}`;
    if (index === undefined || index.text === 'unknown') return { text: block, prec: 3 };
    return { text: `${block} & { [key: string]: ${index.text} }`, prec: 2 };
  }

  private array(schema: Record<string, unknown>, context: Context): TsType {
    const prefix = [schema.prefixItems, schema.items].find(Array.isArray) ?? [];
    const rest = prefix === schema.items ? schema.additionalItems : schema.items;
    // TS defers the element type of an array, but not inside a tuple.
    const tuple = { ...context, tuple: true };
    const items = prefix.length > 0 ? tuple : { ...context, eager: context.eager && context.tuple };
    const restText = rest === false ? undefined : `${wrap(this.render(rest ?? true, items), 3)}[]`;
    if (prefix.length === 0) return { text: restText ?? '[]', prec: 3 };
    const elements = prefix.map((item) => this.render(item, tuple).text);
    if (restText !== undefined) elements.push(`...${restText}`);
    return { text: `[${elements.join(', ')}]`, prec: 3 };
  }

  private fn(spec: Record<string, unknown>, context: Context): TsType {
    const inner = { ...context, eager: false, tuple: false };
    const output = spec.output === undefined ? UNKNOWN : this.render(spec.output, inner);
    const parameter = this.parameterIn(spec.input, inner);
    return { text: `(${parameter}) => Promise<${output.text}>`, prec: 0 };
  }

  private parameterIn(schema: unknown, context: Context): string {
    const type = schema === undefined ? UNKNOWN : this.render(schema, context);
    return `args${acceptsNoArgs(schema, context.document) ? '?' : ''}: ${type.text}`;
  }

  private ref(ref: string, context: Context): TsType {
    const segments = parsePointer(ref);
    const target = segments && resolvePointer(context.document.root, segments);
    if (segments === undefined || target === undefined) return UNKNOWN;
    const def = this.def(context.document, segments, target);
    if (def === undefined) return UNKNOWN;
    const eager = context.eager && context.owner !== undefined;
    context.owner?.refs.add(def.id);
    if (eager) context.owner?.eagerRefs.add(def.id);
    return { text: TypeRenderer.token(def.id, eager), prec: 3 };
  }

  private def(document: SchemaDocument, segments: string[], schema: unknown): SchemaDef | undefined {
    const key = JSON.stringify(segments);
    let defs = this.index.get(document);
    if (defs === undefined) this.index.set(document, (defs = new Map<string, SchemaDef>()));
    const existing = defs.get(key);
    if (existing !== undefined || this.defs.length >= MAX_DEFS) return existing;
    const def: SchemaDef = {
      id: this.defs.length,
      document,
      segments,
      schema,
      body: '',
      refs: new Set(),
      eagerRefs: new Set(),
    };
    this.defs.push(def);
    defs.set(key, def);
    return def;
  }
}

/** The function-reference sentinel shape (`{$scomp: {kind: "fn", …}}`) without `x-scomp-fn`. */
function isFunctionRefShape(schema: Record<string, unknown>): boolean {
  const sentinel = isRecord(schema.properties) ? own(schema.properties, '$scomp') : undefined;
  const kind = isRecord(sentinel) && isRecord(sentinel.properties) ? own(sentinel.properties, 'kind') : undefined;
  if (!isRecord(kind)) return false;
  return kind.const === 'fn' || (Array.isArray(kind.enum) && kind.enum.length === 1 && kind.enum[0] === 'fn');
}
