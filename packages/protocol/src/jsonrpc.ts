import Type, { type Static } from 'typebox';
import { JsonValue } from './json.js';

/** A JSON-RPC request id. scomp peers send integers; they accept strings too. `null` is only valid in error responses. */
export const RequestId = Type.Union([Type.Integer(), Type.String({ maxLength: 256 })]);
export type RequestId = Static<typeof RequestId>;

export const Params = Type.Union([Type.Object({}, { additionalProperties: true }), Type.Array(Type.Unknown())]);

export const JsonRpcRequest = Type.Object(
  {
    jsonrpc: Type.Literal('2.0'),
    id: RequestId,
    method: Type.String(),
    params: Type.Optional(Params),
  },
  { additionalProperties: false },
);
export type JsonRpcRequest = Static<typeof JsonRpcRequest>;

export const JsonRpcNotification = Type.Object(
  {
    jsonrpc: Type.Literal('2.0'),
    method: Type.String(),
    params: Type.Optional(Params),
  },
  { additionalProperties: false },
);
export type JsonRpcNotification = Static<typeof JsonRpcNotification>;

export const JsonRpcSuccess = Type.Object(
  {
    jsonrpc: Type.Literal('2.0'),
    id: RequestId,
    result: JsonValue,
  },
  { additionalProperties: false },
);
export type JsonRpcSuccess = Static<typeof JsonRpcSuccess>;

export const ErrorObject = Type.Object(
  {
    code: Type.Integer(),
    message: Type.String(),
    data: Type.Optional(JsonValue),
  },
  { additionalProperties: false },
);
export type ErrorObject = Static<typeof ErrorObject>;

export const JsonRpcError = Type.Object(
  {
    jsonrpc: Type.Literal('2.0'),
    id: Type.Union([RequestId, Type.Null()]),
    error: ErrorObject,
  },
  { additionalProperties: false },
);
export type JsonRpcError = Static<typeof JsonRpcError>;

export const JsonRpcResponse = Type.Union([JsonRpcSuccess, JsonRpcError]);
export type JsonRpcResponse = Static<typeof JsonRpcResponse>;

export const JsonRpcMessage = Type.Union([JsonRpcRequest, JsonRpcNotification, JsonRpcSuccess, JsonRpcError]);
export type JsonRpcMessage = Static<typeof JsonRpcMessage>;
