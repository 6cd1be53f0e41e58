// The entry for application code: clients, servers, bindings and the errors they raise. Transport
// and runtime authors import `@scomp/peer/authoring`; the TypeScript declarations renderer is
// `@scomp/peer/declarations`, so applications that do not render declarations never load it.
export { Client } from './client.js';
export { CloseCode } from './closeCodes.js';
export type { ClientOptions, ClientState, CallOptions, EvalOptions as ClientEvalOptions, TransportSource } from './client.js';
export { Server } from './server.js';
export type { ServerOptions, ServerStats } from './server.js';
export type { ServerSession, SessionEventType, SessionInvokeOptions } from './serverSessions.js';
export type { Principal } from './session.js';
export { defineBinding, Fn } from './binding.js';
export type { Binding, BindingContext, BindingDefinition, BindingOptions } from './binding.js';
export { moduleBinding, isBinding } from './moduleBinding.js';
export type { BindingOrigin } from './moduleBinding.js';
export { retain, release } from './functions.js';
export { defaultRetry, defaultRetryDelayMs } from './reconnect.js';
export type { ReconnectOptions } from './reconnect.js';
export type { RefStats } from './functionRefs.js';
export type { Transport, TransportHandler, TransportCloseInfo } from './transport.js';
export { createMemoryTransportPair } from './testing/memoryTransport.js';
export type {
  CallContext,
  EvalOptions,
  HostCallOptions,
  HostFunction,
  Runtime,
  RuntimeBinding,
  RuntimeFactory,
  RuntimeInit,
  RuntimeLimits,
  RuntimeStats,
} from './runtime.js';
export {
  ScompError,
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
  LocalError,
  ConnectionClosedError,
  TimeoutError,
  AbortedError,
  fromErrorObject,
  toScompError,
} from './errors.js';
export type { LocalErrorCode } from './errors.js';
