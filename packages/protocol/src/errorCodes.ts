// Plain data, no schema library: importing the codes alone stays cheap (worker threads do).

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

/**
 * Every code a server may answer a connection's first handshake with. Each is terminal: the server
 * closes the connection after sending it, and the client must open a new one to retry (spec §4).
 * A server answers a failed handshake with no other code.
 */
export const TERMINAL_HANDSHAKE_CODES: readonly number[] = [
  ErrorCode.InvalidParams,
  ErrorCode.InternalError,
  ErrorCode.HandshakeFailed,
  ErrorCode.UnsupportedVersion,
  ErrorCode.Unauthorized,
  ErrorCode.SessionNotFound,
  ErrorCode.LimitExceeded,
  ErrorCode.Cancelled,
  ErrorCode.ShuttingDown,
];
