import type { ErrorObject, EvalErrorData, LimitExceededData, ValidationIssue } from '@scomp/protocol';
// The codes alone, not the schemas: this module is also an entry of its own (`@scomp/peer/errors`)
// for code that needs the error classes without the wire machinery, such as runtime worker threads.
import { ErrorCode, errorCodeName, type ErrorCodeName } from '@scomp/protocol/error-codes';

/**
 * An error that crosses the wire: a numeric JSON-RPC `code`, a message and structured `data`.
 * The receiving peer rebuilds the subclass named by the code (see {@link fromErrorObject}).
 */
export class ScompError extends Error {
  override name = 'ScompError';
  readonly code: number;
  readonly data: unknown;
  constructor(code: number, message: string, data?: unknown, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.data = data;
  }
  /** The scomp name of the code (`'SessionNotFound'`, …), or undefined for codes scomp does not define. */
  get codeName(): ErrorCodeName | undefined {
    return errorCodeName(this.code);
  }
  toErrorObject(): ErrorObject {
    return this.data === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, data: this.data };
  }
}

/**
 * What {@link wireError} returns, spelled out so that the emitted declarations keep `ScompError` (and
 * so `Error`) as the base of every subclass instead of an anonymous structural copy of it.
 */
interface WireErrorClass<TName extends ErrorCodeName> {
  readonly code: (typeof ErrorCode)[TName];
  new (message: string, data?: unknown, options?: { cause?: unknown }): ScompError;
}

function wireError<TName extends ErrorCodeName>(codeName: TName, className: string): WireErrorClass<TName> {
  return class extends ScompError {
    static readonly code = ErrorCode[codeName];
    override name = className;
    constructor(message: string, data?: unknown, options?: { cause?: unknown }) {
      super(ErrorCode[codeName], message, data, options);
    }
  };
}

export class ParseError extends wireError('ParseError', 'ParseError') {}
export class InvalidRequestError extends wireError('InvalidRequest', 'InvalidRequestError') {}
export class MethodNotFoundError extends wireError('MethodNotFound', 'MethodNotFoundError') {}
export class InvalidParamsError extends wireError('InvalidParams', 'InvalidParamsError') {
  /**
   * A refusal for `issues`, whose message names them (`invalid params: /id must be string`) so a
   * reader of the message alone (a REPL, a log line, guest code) learns what was wrong.
   */
  static fromIssues(issues: ValidationIssue[], summary = 'invalid params'): InvalidParamsError {
    return new InvalidParamsError(withIssues(summary, issues), { issues });
  }

  /** The failing locations, when the error came from schema validation. */
  get issues(): ValidationIssue[] {
    const data = this.data as { issues?: ValidationIssue[] } | undefined;
    return data?.issues ?? [];
  }
}

/** Issues shown in a message; the rest stay in `data`. */
const ISSUES_IN_MESSAGE = 3;

/**
 * `summary: /a must be string; /b is required`, unless `summary` already names the first issue
 * (a peer that wrote the issues into its message itself).
 */
export function withIssues(summary: string, issues: readonly ValidationIssue[]): string {
  const texts = issues.slice(0, ISSUES_IN_MESSAGE).map((issue) => `${issue.path || 'value'} ${issue.message}`);
  if (texts.length === 0 || summary.includes(texts[0]!)) return summary;
  const more = issues.length - texts.length;
  return `${summary}: ${texts.join('; ')}${more > 0 ? ` (and ${more} more)` : ''}`;
}
/** A fault inside the peer or a handler. The original throwable stays local as `cause`. */
export class InternalError extends wireError('InternalError', 'InternalError') {}
export class HandshakeRequiredError extends wireError('HandshakeRequired', 'HandshakeRequiredError') {}
export class HandshakeFailedError extends wireError('HandshakeFailed', 'HandshakeFailedError') {}
export class UnsupportedVersionError extends wireError('UnsupportedVersion', 'UnsupportedVersionError') {}
export class UnauthorizedError extends wireError('Unauthorized', 'UnauthorizedError') {}
export class SessionNotFoundError extends wireError('SessionNotFound', 'SessionNotFoundError') {}
export class BindingNotFoundError extends wireError('BindingNotFound', 'BindingNotFoundError') {}
export class RefNotFoundError extends wireError('RefNotFound', 'RefNotFoundError') {}
/** What evaluated code threw: `data` holds its `name`, `message` and `stack`. */
export class EvalError extends wireError('EvalError', 'EvalError') {
  get detail(): EvalErrorData {
    return this.data as EvalErrorData;
  }
}
export class LimitExceededError extends wireError('LimitExceeded', 'LimitExceededError') {
  get detail(): LimitExceededData {
    return this.data as LimitExceededData;
  }
}
export class RemoteTimeoutError extends wireError('Timeout', 'RemoteTimeoutError') {}
export class CancelledError extends wireError('Cancelled', 'CancelledError') {}
export class DisconnectedError extends wireError('Disconnected', 'DisconnectedError') {}
export class ShuttingDownError extends wireError('ShuttingDown', 'ShuttingDownError') {}

const classes = [
  ParseError,
  InvalidRequestError,
  MethodNotFoundError,
  InvalidParamsError,
  InternalError,
  HandshakeRequiredError,
  HandshakeFailedError,
  UnsupportedVersionError,
  UnauthorizedError,
  SessionNotFoundError,
  BindingNotFoundError,
  RefNotFoundError,
  EvalError,
  LimitExceededError,
  RemoteTimeoutError,
  CancelledError,
  DisconnectedError,
  ShuttingDownError,
];
const classByCode = new Map<number, (typeof classes)[number]>(classes.map((cls) => [cls.code, cls]));

/** Rebuilds the typed error for a wire error object; unknown codes give a plain {@link ScompError}. */
export function fromErrorObject(error: ErrorObject): ScompError {
  const cls = classByCode.get(error.code);
  return cls ? new cls(error.message, error.data) : new ScompError(error.code, error.message, error.data);
}

/** Codes of errors that never cross the wire. */
export type LocalErrorCode = 'CONNECTION_CLOSED' | 'TIMEOUT' | 'ABORTED';

/** An error raised on this side only (a local deadline, a closed connection, an abort). */
export class LocalError extends Error {
  override name = 'LocalError';
  readonly code: LocalErrorCode;
  constructor(code: LocalErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
/** The connection closed before the call completed. Every pending call rejects with it at once. */
export class ConnectionClosedError extends LocalError {
  override name = 'ConnectionClosedError';
  constructor(message = 'connection closed', options?: { cause?: unknown }) {
    super('CONNECTION_CLOSED', message, options);
  }
}
/** The caller's own deadline (`timeoutMs`) passed. */
export class TimeoutError extends LocalError {
  override name = 'TimeoutError';
  constructor(message = 'timed out', options?: { cause?: unknown }) {
    super('TIMEOUT', message, options);
  }
}
/** The caller's `AbortSignal` fired. */
export class AbortedError extends LocalError {
  override name = 'AbortedError';
  constructor(message = 'aborted', options?: { cause?: unknown }) {
    super('ABORTED', message, options);
  }
}

/**
 * Normalises any throwable at a boundary: scomp errors pass through; anything else becomes an
 * InternalError whose `cause` keeps the original locally and whose message reveals nothing of it.
 */
export function toScompError(error: unknown): ScompError {
  if (error instanceof ScompError) return error;
  return new InternalError('internal error', undefined, { cause: error });
}
