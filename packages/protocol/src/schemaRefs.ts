import type { BindingMeta } from './bindings.js';
import type { ValidationIssue } from './errors.js';
import type { JsonSchema } from './json.js';

/** Keywords whose values are data, not schemas: a `$ref` member inside them is not a reference. */
const DATA_KEYWORDS = new Set(['const', 'enum', 'default', 'examples']);
/** Bounds the walk over a hostile schema; deeper schemas are refused by other limits anyway. */
const MAX_DEPTH = 256;

/**
 * `input` or `output` of a binding as one self-contained schema: `$defs` declared next to them at
 * the binding level (spec §11.3) are added to the schema's own, which win on a clash. Local refs
 * (`#/$defs/Name`) then resolve wherever the binding placed the definitions.
 */
export function bindingSchema(meta: BindingMeta, role: 'input' | 'output'): JsonSchema | undefined {
  const schema = meta[role];
  const shared = meta.$defs;
  if (!isRecord(schema) || !isRecord(shared)) return schema;
  const own = isRecord(schema.$defs) ? schema.$defs : {};
  return { ...schema, $defs: { ...shared, ...own } } as JsonSchema;
}

/**
 * The `$ref`s of a binding's schemas that cannot be followed: remote ones (peers never fetch
 * schemas) and local ones that point at nothing. Each issue's path is the JSON Pointer of the
 * `$ref` member inside the binding (`/output/items/$ref`).
 */
export function bindingRefIssues(meta: BindingMeta): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const shared = meta.$defs;
  for (const role of ['input', 'output'] as const) {
    const root = bindingSchema(meta, role);
    if (root !== undefined) walk(root, root, `/${role}`, issues, 0);
  }
  if (isRecord(shared)) {
    // Definitions shared by both schemas are checked once, against the input schema they join.
    const root = bindingSchema(meta, 'input');
    for (const [name, schema] of Object.entries(shared)) walk(schema, root, `/$defs/${escape(name)}`, issues, 0);
  }
  return dedupe(issues);
}

function walk(node: unknown, root: unknown, path: string, issues: ValidationIssue[], depth: number): void {
  if (depth > MAX_DEPTH || issues.length >= 10) return;
  if (Array.isArray(node)) {
    node.forEach((item, index) => walk(item, root, `${path}/${index}`, issues, depth + 1));
    return;
  }
  if (!isRecord(node)) return;
  for (const [key, value] of Object.entries(node)) {
    const at = `${path}/${escape(key)}`;
    if (key === '$ref' && typeof value === 'string') {
      const problem = refProblem(value, root);
      if (problem) issues.push({ path: at, message: problem });
    } else if (!DATA_KEYWORDS.has(key)) {
      walk(value, root, at, issues, depth + 1);
    }
  }
}

function refProblem(ref: string, root: unknown): string | undefined {
  if (!ref.startsWith('#')) return `$ref ${JSON.stringify(ref)} is not local: refs must point into the same schema (#/$defs/Name)`;
  if (ref === '#') return undefined;
  if (!ref.startsWith('#/')) return `$ref ${JSON.stringify(ref)} is not a JSON Pointer (#/$defs/Name)`;
  let target: unknown = root;
  for (const segment of ref.slice(2).split('/')) {
    let key: string;
    try {
      key = decodeURIComponent(segment).replaceAll('~1', '/').replaceAll('~0', '~');
    } catch {
      return `$ref ${JSON.stringify(ref)} is not a valid JSON Pointer`;
    }
    if (Array.isArray(target)) target = /^(0|[1-9][0-9]*)$/.test(key) ? target[Number(key)] : undefined;
    else target = isRecord(target) && Object.hasOwn(target, key) ? target[key] : undefined;
    if (target === undefined) return `$ref ${JSON.stringify(ref)} does not resolve`;
  }
  return undefined;
}

function escape(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}

function dedupe(issues: ValidationIssue[]): ValidationIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => !seen.has(issue.path) && seen.add(issue.path) !== undefined);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
