import { CancelledError, EvalError, LimitExceededError, toScompError, withIssues } from '@scomp/peer/authoring';
import type { LimitKind, ValidationIssue } from '@scomp/protocol';
import { cutText, MAX_GUEST_NAME, MAX_GUEST_TEXT } from './cutText.js';
import { PRELUDE_SCRIPT } from './preludeSource.js';

/** Why running guest code was stopped: CPU budget, the eval's own deadline, heap, or a cancel. */
export type InterruptReason = 'time' | 'deadline' | 'memory' | 'cancel';

export interface ThrownDetail {
  name: string;
  message: string;
  stack?: string;
  /** The wire code of a failed binding or function call the code did not catch. */
  code?: number;
  data?: unknown;
}

export function limitError(limit: LimitKind, extra: { sessionReset?: boolean; max?: number } = {}): LimitExceededError {
  return new LimitExceededError(`${limit} limit exceeded`, { limit, ...extra });
}

export function cancelledError(reason?: unknown): CancelledError {
  const text = typeof reason === 'string' ? reason : reason instanceof Error ? reason.message : undefined;
  return new CancelledError(text ? `eval cancelled: ${text}` : 'eval cancelled');
}

/** Recognises the interpreter's own resource errors among thrown values. */
export function resourceLimitOf(detail: ThrownDetail): 'memory' | 'stack' | undefined {
  // The parsers (JSON.parse, eval) report running out of stack as a SyntaxError.
  if (detail.name !== 'InternalError' && detail.name !== 'RangeError' && detail.name !== 'SyntaxError') return undefined;
  if (detail.message === 'out of memory') return 'memory';
  if (detail.message === 'stack overflow' || detail.message === 'Maximum call stack size exceeded') return 'stack';
  return undefined;
}

/** Frames of the runtime's own helpers (converting a result, calling a binding) are not the code's. */
const helperFrame = `(${PRELUDE_SCRIPT}:`;

/** The EvalError for what guest code threw; its name, message and stack are cut to bounded sizes. */
export function evalError(detail: ThrownDetail): EvalError {
  const data: ThrownDetail = { name: cutText(detail.name, MAX_GUEST_NAME), message: cutText(detail.message, MAX_GUEST_TEXT) };
  if (detail.code !== undefined) data.code = detail.code;
  if (detail.data !== undefined) data.data = detail.data;
  const stack = detail.stack
    ?.split('\n')
    .filter((line) => !line.includes(helperFrame))
    .join('\n');
  if (stack) data.stack = cutText(stack, MAX_GUEST_TEXT);
  return new EvalError(`${data.name}: ${data.message}`, data);
}

/** The host's own stack ran out inside the interpreter (deep recursion in native code such as JSON.stringify). */
export function isHostStackOverflow(error: unknown): boolean {
  return error instanceof RangeError && error.message === 'Maximum call stack size exceeded';
}

/** The WebAssembly instance aborted (a failed assertion in C). */
export function isWasmAbort(error: unknown): boolean {
  return error instanceof Error && error.constructor.name === 'RuntimeError';
}

/** A host error as the guest gets it (the prelude's `makeError`): the wire's name, message, code and data. */
export function errorJson(error: unknown): string {
  const scomp = toScompError(error);
  // Guest code often shows only the message (an uncaught error in a REPL), so it names the issues.
  const issues = (scomp.data as { issues?: unknown } | undefined)?.issues;
  const message = isIssueList(issues) ? withIssues(scomp.message, issues) : scomp.message;
  const detail: Record<string, unknown> = { name: scomp.name, message, code: scomp.code };
  if (scomp.data !== undefined) detail.data = scomp.data;
  try {
    return JSON.stringify(detail);
  } catch {
    return JSON.stringify({ name: scomp.name, message, code: scomp.code });
  }
}

function isIssueList(value: unknown): value is ValidationIssue[] {
  return (
    Array.isArray(value) &&
    value.every((issue: { path?: unknown; message?: unknown } | null) => typeof issue?.path === 'string' && typeof issue.message === 'string')
  );
}
