import Type, { type Static } from 'typebox';
import { JsonValue } from './json.js';

export { ErrorCode, errorCodeName, TERMINAL_HANDSHAKE_CODES } from './errorCodes.js';
export type { ErrorCodeName, ErrorCodeValue } from './errorCodes.js';

/** One failing location in a value checked against a schema. `path` is a JSON Pointer. */
export const ValidationIssue = Type.Object({ path: Type.String(), message: Type.String() });
export type ValidationIssue = Static<typeof ValidationIssue>;

/** `data` of InvalidParams (and of InternalError when a result breaks its output schema). */
export const InvalidParamsData = Type.Object({ issues: Type.Array(ValidationIssue) }, { additionalProperties: true });
export type InvalidParamsData = Static<typeof InvalidParamsData>;

/**
 * `data` of EvalError: what the evaluated code threw. `stack` line numbers refer to the submitted
 * code. When the code did not catch a failed binding or function-reference call, `code` and `data`
 * are that call's error code and data (spec §6.4).
 */
export const EvalErrorData = Type.Object(
  {
    name: Type.String(),
    message: Type.String(),
    stack: Type.Optional(Type.String()),
    code: Type.Optional(Type.Integer()),
    data: Type.Optional(JsonValue),
  },
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
  'pendingInvokes',
  'sessions',
  'principalMemory',
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
