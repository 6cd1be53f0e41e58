import { Compile } from 'typebox/compile';
import type { ValidationIssue } from './errors.js';
import type { JsonSchema } from './json.js';

/** A compiled check for one schema: `issues(value)` is empty when the value conforms. */
export interface Validator<T = unknown> {
  readonly schema: unknown;
  check(value: unknown): value is T;
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
      const issues: ValidationIssue[] = [];
      for (const error of compiled.Errors(value)) {
        issues.push({ path: error.instancePath || '/', message: error.message });
        if (issues.length >= max) break;
      }
      return issues;
    },
  };
}
