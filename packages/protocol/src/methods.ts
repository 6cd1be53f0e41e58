import Type, { type Static } from 'typebox';
import { BindingMeta, BindingName } from './bindings.js';
import { FunctionRefId } from './functionRef.js';
import { JsonValue } from './json.js';
import { RequestId } from './jsonrpc.js';
import { ServerBindingScope } from './serverBindingScope.js';

/** Every method name scomp defines. */
export const Method = {
  handshake: 'handshake',
  eval: 'eval',
  invoke: 'invoke',
  release: 'release',
  cancel: 'cancel',
} as const;
export type Method = (typeof Method)[keyof typeof Method];

export const SessionId = Type.String({ minLength: 1, maxLength: 256 });

/**
 * Params and results accept members this spec does not name and peers ignore them (spec §3), so
 * a newer or foreign peer's optional additions never break an older one. Named members keep their
 * types and required members stay required.
 */
const open = { additionalProperties: true } as const;

/** Client → server, the first request on a connection. */
export const HandshakeParams = Type.Object(
  {
    protocol: Type.String({ pattern: '^[0-9]+\\.[0-9]+$' }),
    bindings: Type.Array(BindingMeta),
    metadata: Type.Optional(Type.Object({}, { additionalProperties: true })),
    sessionId: Type.Optional(SessionId),
    /** Narrows the server bindings the session sees and gates guest calls of them (spec §5.1). */
    serverBindings: Type.Optional(ServerBindingScope),
  },
  open,
);
export type HandshakeParams = Omit<Static<typeof HandshakeParams>, 'bindings' | 'serverBindings'> & {
  bindings: BindingMeta[];
  serverBindings?: ServerBindingScope;
};

export const HandshakeResult = Type.Object(
  {
    protocol: Type.String({ pattern: '^[0-9]+\\.[0-9]+$' }),
    sessionId: SessionId,
    bindings: Type.Array(BindingMeta),
    /** Absent means `false`: a peer that does not resume sessions need not send it. */
    resumed: Type.Optional(Type.Boolean()),
    metadata: Type.Optional(Type.Object({}, { additionalProperties: true })),
  },
  open,
);
export type HandshakeResult = Omit<Static<typeof HandshakeResult>, 'bindings'> & { bindings: BindingMeta[] };

/** Client → server: evaluate code in the session's runtime. */
export const EvalParams = Type.Object(
  {
    code: Type.String(),
    /** Idempotency key: a retried eval with the same key returns the first one's outcome instead of running again. */
    key: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    /** Caller's deadline for this eval, in milliseconds; the server applies the smaller of this and its own limit. */
    timeoutMs: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  open,
);
export type EvalParams = Static<typeof EvalParams>;

/** `value` is absent when the final expression is `undefined`. */
export const ValueResult = Type.Object({ value: Type.Optional(JsonValue) }, open);
export const EvalResult = ValueResult;
export type EvalResult = { value?: unknown };

/**
 * Either peer: call a binding by `name`, or a function reference by `ref`. Exactly one of the two:
 * each shape names the other's member as one it must not carry, since unknown members are allowed.
 */
export const InvokeByName = Type.Object(
  { name: BindingName, ref: Type.Optional(Type.Never()), args: Type.Optional(JsonValue) },
  open,
);
export const InvokeByRef = Type.Object(
  { ref: FunctionRefId, name: Type.Optional(Type.Never()), args: Type.Optional(JsonValue) },
  open,
);
export const InvokeParams = Type.Union([InvokeByName, InvokeByRef]);
export type InvokeParams = { name: string; args?: unknown } | { ref: string; args?: unknown };

export const InvokeResult = ValueResult;
export type InvokeResult = { value?: unknown };

/** Notification, either peer: the sender will not invoke these references again. */
export const ReleaseParams = Type.Object(
  { refs: Type.Array(FunctionRefId, { minItems: 1 }) },
  open,
);
export type ReleaseParams = Static<typeof ReleaseParams>;

/** Notification, either peer (extension): abandon the request with this id that the sender sent earlier. */
export const CancelParams = Type.Object(
  { id: RequestId, reason: Type.Optional(Type.String({ maxLength: 1024 })) },
  open,
);
export type CancelParams = Static<typeof CancelParams>;
