import { Compile } from 'typebox/compile';
import type { ValidationIssue } from './errors.js';
import type { JsonSchema } from './json.js';

/** A compiled check for one schema: `issues(value)` is empty when the value conforms. */
export interface Validator<T = unknown> {
  readonly schema: unknown;
  check(value: unknown): value is T;
  /** Where and why `value` fails, at most `max` issues. Paths are JSON Pointers (`""` is the value itself). */
  issues(value: unknown, max?: number): ValidationIssue[];
}

/**
 * Compiles a JSON Schema (a TypeBox schema or a plain draft 2020-12 document with `$defs`/`$ref`)
 * into a reusable validator. Compile once, check many times: compilation is the expensive part.
 */
export function compileSchema<T = unknown>(schema: JsonSchema | object): Validator<T> {
  const compiled = Compile(schema as never);
  return {
    schema,
    check: (value: unknown): value is T => compiled.Check(value),
    issues(value, max = 10) {
      const raw: RawError[] = [];
      for (const error of compiled.Errors(value)) {
        raw.push(error as RawError);
        if (raw.length >= MAX_RAW_ERRORS) break;
      }
      return toIssues(collapseUnions(raw, schema), schema, max);
    },
  };
}

interface RawError {
  keyword: string;
  schemaPath: string;
  instancePath: string;
  params: Record<string, unknown>;
  message: string;
}

/** Bounds the work spent describing a huge invalid value. */
const MAX_RAW_ERRORS = 1000;

/**
 * The compiler does not always report the failed `anyOf` itself (a union of constants only reports
 * each constant), so one is added after its branches' errors wherever it is missing.
 */
function withUnionErrors(errors: RawError[]): RawError[] {
  const reported = new Set(errors.filter((error) => error.keyword === 'anyOf').map((error) => error.schemaPath));
  const result: RawError[] = [];
  errors.forEach((error, index) => {
    result.push(error);
    for (const match of error.schemaPath.matchAll(/\/anyOf\/\d+/g)) {
      const schemaPath = error.schemaPath.slice(0, match.index);
      if (reported.has(schemaPath)) continue;
      const branches = errors.filter((other) => other.schemaPath.startsWith(`${schemaPath}/anyOf/`));
      if (errors.slice(index + 1).some((other) => branches.includes(other))) continue;
      reported.add(schemaPath);
      const instancePath = branches.map((other) => other.instancePath).sort((a, b) => a.length - b.length)[0] ?? '';
      result.push({ keyword: 'anyOf', schemaPath, instancePath, params: {}, message: 'must match a schema in anyOf' });
    }
  });
  return result;
}

/** True when `error` says the value at the union's location is not of this branch's shape at all. */
function failsShape(error: RawError, union: RawError): boolean {
  return error.instancePath === union.instancePath && error.keyword !== 'additionalProperties';
}

/**
 * A failed `anyOf` reports every branch's failures, which reads as noise. When exactly one branch
 * matches the value's shape and fails deeper inside it, that branch's failures are the useful ones;
 * otherwise a single issue lists what the value may be. Extra properties do not rule a branch out,
 * so `{name, foo}` against `{name} | {ref}` reports `/foo` rather than the whole union.
 */
function collapseUnions(errors: RawError[], root: unknown): RawError[] {
  let result = withUnionErrors(errors);
  const unions = result
    .filter((error) => error.keyword === 'anyOf')
    .sort((a, b) => b.schemaPath.length - a.schemaPath.length);
  for (const union of unions) {
    const prefix = `${union.schemaPath}/anyOf/`;
    const branches = new Map<string, RawError[]>();
    for (const error of result) {
      if (!error.schemaPath.startsWith(prefix)) continue;
      const branch = error.schemaPath.slice(prefix.length).split('/')[0] ?? '';
      branches.set(branch, [...(branches.get(branch) ?? []), error]);
    }
    const nearMisses = [...branches.values()].filter((branch) => branch.every((error) => !failsShape(error, union)));
    const replacement =
      nearMisses.length === 1 && nearMisses[0]
        ? nearMisses[0]
        : [{ ...union, message: `must be ${describeUnion(resolvePointer(root, union.schemaPath))}` }];
    result = result.flatMap((error) =>
      error === union ? replacement : error.schemaPath.startsWith(prefix) ? [] : [error],
    );
  }
  return result;
}

function toIssues(errors: RawError[], root: unknown, max: number): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const seen = new Set<string>();
  const add = (path: string, message: string) => {
    const key = `${path}\u0000${message}`;
    if (seen.has(key) || issues.length >= max) return;
    seen.add(key);
    issues.push({ path, message });
  };
  for (const error of errors) {
    if (error.keyword === 'required') {
      for (const name of stringList(error.params.requiredProperties)) add(childPath(error, name), 'is required');
    } else if (error.keyword === 'additionalProperties') {
      for (const name of stringList(error.params.additionalProperties)) add(childPath(error, name), 'is not allowed');
    } else if (error.keyword === 'boolean' && error.schemaPath.endsWith('/additionalProperties')) {
      add(error.instancePath, 'is not allowed');
    } else if (error.keyword === 'const') {
      const allowed = (resolvePointer(root, error.schemaPath) as { const?: unknown } | undefined)?.const;
      add(error.instancePath, allowed === undefined ? error.message : `must be ${JSON.stringify(allowed)}`);
    } else {
      add(error.instancePath, error.message);
    }
  }
  return issues;
}

function childPath(error: RawError, name: string): string {
  return `${error.instancePath}/${name.replaceAll('~', '~0').replaceAll('/', '~1')}`;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function resolvePointer(root: unknown, schemaPath: string): unknown {
  let node = root;
  for (const segment of schemaPath.replace(/^#\/?/, '').split('/').filter(Boolean)) {
    const key = decodeURIComponent(segment).replaceAll('~1', '/').replaceAll('~0', '~');
    node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined;
  }
  return node;
}

function describeUnion(schema: unknown): string {
  const branches = (schema as { anyOf?: unknown[] } | undefined)?.anyOf ?? [];
  const names = branches.map(describeSchema);
  return names.length > 1 ? `one of: ${names.join(', ')}` : (names[0] ?? 'valid');
}

function describeSchema(schema: unknown): string {
  if (typeof schema !== 'object' || schema === null) return 'a value';
  const node = schema as Record<string, unknown>;
  if ('const' in node) return JSON.stringify(node.const);
  if (node.type === 'string' && typeof node.pattern === 'string') return `a string matching ${node.pattern}`;
  const members = typeof node.properties === 'object' && node.properties !== null ? Object.entries(node.properties) : [];
  // A member declared as never allowed (`{"not": {}}`) is not part of the shape's description.
  const properties = members.filter(([, member]) => !isNever(member)).map(([key]) => key);
  if (node.type === 'object' && properties.length > 0) {
    const required = stringList(node.required);
    return `{${properties.map((key) => (required.includes(key) ? key : `${key}?`)).join(', ')}}`;
  }
  if (typeof node.type === 'string') return `${/^[aeiou]/.test(node.type) ? 'an' : 'a'} ${node.type}`;
  return 'a value';
}

function isNever(schema: unknown): boolean {
  const not = (schema as { not?: unknown } | null)?.not;
  return typeof not === 'object' && not !== null && Object.keys(not).length === 0;
}
