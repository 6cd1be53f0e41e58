// `@scomp/peer/authoring`: the entry for authors of transports and runtimes. It holds the contracts
// they implement and the pieces they reuse, and loads neither the wire machinery nor the schema
// library, so a runtime's worker thread can import it without paying for the rest of the peer.
export type { Transport, TransportHandler, TransportCloseInfo } from './transport.js';
export { TransportInbox } from './transportInbox.js';
export { tapTransport } from './tapTransport.js';
export type { MessageDirection, TransportTap } from './tapTransport.js';
export { exceedsUtf8Bytes, utf8ByteLength } from './utf8.js';
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
// A runtime may offer bindings of its own (`experimental_offered`), built with the main entry's `defineBinding`.
export type { Binding, BindingContext } from './binding.js';
export { mapValue, splitFunctions, placeFunctions } from './values.js';
export { releaseUnretainedIn } from './functions.js';
// A runtime that runs module bindings on its own thread imports them with the peer's own loader.
export { importBinding, isBinding } from './moduleBinding.js';
export type { BindingOrigin } from './moduleBinding.js';
export { RawJson } from './rawJson.js';
export type { SplitValue, ValuePath, ValueVisitor } from './values.js';
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
  withIssues,
} from './errors.js';
export type { LocalErrorCode } from './errors.js';
