import Type, { type Static } from 'typebox';

/**
 * Every error code on the wire. JSON-RPC's own codes, then scomp's, in the range JSON-RPC
 * reserves for implementation-defined server errors (-32000 to -32099).
 */
export const ErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,

  HandshakeRequired: -32000,
  HandshakeFailed: -32001,
  UnsupportedVersion: -32002,
  Unauthorized: -32003,
  SessionNotFound: -32004,

  BindingNotFound: -32010,
  RefNotFound: -32011,

  EvalError: -32020,
  LimitExceeded: -32021,
  Timeout: -32022,
  Cancelled: -32023,
  Disconnected: -32024,
  ShuttingDown: -32025,
} as const;
export type ErrorCodeName = keyof typeof ErrorCode;
export type ErrorCodeValue = (typeof ErrorCode)[ErrorCodeName];

const byCode = new Map<number, ErrorCodeName>(
  Object.entries(ErrorCode).map(([name, code]) => [code, name as ErrorCodeName]),
);

/** The name for a numeric code, or `undefined` when the code is not one of scomp's. */
export function errorCodeName(code: number): ErrorCodeName | undefined {
  return byCode.get(code);
}

/** Handshake errors after which the connection is unusable: the client must close it to retry. */
export const TERMINAL_HANDSHAKE_CODES: readonly number[] = [
  ErrorCode.HandshakeFailed,
  ErrorCode.UnsupportedVersion,
  ErrorCode.Unauthorized,
  ErrorCode.SessionNotFound,
];

/** One failing location in a value checked against a schema. `path` is a JSON Pointer. */
export const ValidationIssue = Type.Object({ path: Type.String(), message: Type.String() });
export type ValidationIssue = Static<typeof ValidationIssue>;

/** `data` of InvalidParams (and of InternalError when a result breaks its output schema). */
export const InvalidParamsData = Type.Object({ issues: Type.Array(ValidationIssue) }, { additionalProperties: true });
export type InvalidParamsData = Static<typeof InvalidParamsData>;

/** `data` of EvalError: what the evaluated code threw. `stack` line numbers refer to the submitted code. */
export const EvalErrorData = Type.Object(
  { name: Type.String(), message: Type.String(), stack: Type.Optional(Type.String()) },
  { additionalProperties: true },
);
export type EvalErrorData = Static<typeof EvalErrorData>;

export const LIMIT_KINDS = [
  'time',
  'memory',
  'stack',
  'resultBytes',
  'messageBytes',
  'pendingRequests',
  'refs',
  'evalQueue',
] as const;
export type LimitKind = (typeof LIMIT_KINDS)[number];

/** `data` of LimitExceeded. `sessionReset` tells whether the runtime's state was discarded. */
export const LimitExceededData = Type.Object(
  {
    limit: Type.Union(LIMIT_KINDS.map((kind) => Type.Literal(kind))),
    sessionReset: Type.Optional(Type.Boolean()),
    max: Type.Optional(Type.Number()),
  },
  { additionalProperties: true },
);
export type LimitExceededData = { limit: LimitKind; sessionReset?: boolean; max?: number };

/** `data` of UnsupportedVersion: the versions the server speaks. */
export const UnsupportedVersionData = Type.Object(
  { supported: Type.Array(Type.String()) },
  { additionalProperties: true },
);
export type UnsupportedVersionData = Static<typeof UnsupportedVersionData>;
