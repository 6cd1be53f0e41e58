import { ErrorCode, errorCodeName } from '@scomp/protocol/error-codes';
import { CaseFailure, check, show } from './case.js';
import { isObject, type Json, type JsonObject } from './wire.js';

export type ErrorName = keyof typeof ErrorCode;

function codeText(code: Json | undefined): string {
  const name = typeof code === 'number' ? errorCodeName(code) : undefined;
  return name ? `${name} (${show(code)})` : show(code);
}

/** The `result` of a success response; fails when the response is an error or malformed. */
export function expectResult(response: JsonObject, what: string): JsonObject {
  if (isObject(response.error)) {
    throw new CaseFailure(`${what}: expected a result, got error ${codeText(response.error.code)} ${show(response.error)}`);
  }
  check(isObject(response.result), `${what}: expected a result object, got ${show(response)}`);
  return response.result;
}

/** The `error` of an error response with the given code; fails otherwise. */
export function expectError(response: JsonObject, name: ErrorName, what: string): JsonObject {
  const code = ErrorCode[name];
  if (!isObject(response.error)) throw new CaseFailure(`${what}: expected ${name} (${code}), got result ${show(response.result)}`);
  check(response.error.code === code, `${what}: expected ${name} (${code}), got ${codeText(response.error.code)} ${show(response.error)}`);
  check(typeof response.error.message === 'string', `${what}: the error has no string message: ${show(response.error)}`);
  return response.error;
}

/** The `data` of an error, which must be an object. */
export function errorData(error: JsonObject, what: string): JsonObject {
  check(isObject(error.data), `${what}: expected error data to be an object, got ${show(error.data)}`);
  return error.data;
}

/** Structural equality of JSON values (member order ignored). */
export function jsonEqual(a: Json | undefined, b: Json | undefined): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((item, i) => jsonEqual(item, b[i]));
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => key in b && jsonEqual(a[key], b[key]));
  }
  return false;
}

/** The eval/invoke result's `value`, which must equal `expected` (`undefined`: absent). */
export function expectValue(response: JsonObject, expected: Json | undefined, what: string): void {
  const result = expectResult(response, what);
  if (expected === undefined) {
    check(!('value' in result), `${what}: expected no value, got ${show(result)}`);
    return;
  }
  check('value' in result, `${what}: expected value ${show(expected)}, got a result without one: ${show(result)}`);
  check(jsonEqual(result.value, expected), `${what}: expected value ${show(expected)}, got ${show(result.value)}`);
}

/** `data.issues` of an InvalidParams (or output-validation) error: a non-empty list of `{path, message}`. */
export function expectIssues(error: JsonObject, what: string): { path: string; message: string }[] {
  const data = errorData(error, what);
  const issues = data.issues;
  check(Array.isArray(issues) && issues.length > 0, `${what}: expected data.issues to be a non-empty array, got ${show(data)}`);
  for (const issue of issues) {
    check(
      isObject(issue) && typeof issue.path === 'string' && typeof issue.message === 'string',
      `${what}: each issue must be {path, message} with strings, got ${show(issue)}`,
    );
    check(issue.path === '' || issue.path.startsWith('/'), `${what}: issue path ${show(issue.path)} is not a JSON Pointer`);
  }
  return issues as { path: string; message: string }[];
}
