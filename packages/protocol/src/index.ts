export { PROTOCOL_VERSION, isCompatibleVersion } from './version.js';
export { JsonValue, JsonSchema } from './json.js';
export {
  RequestId,
  Params,
  JsonRpcRequest,
  JsonRpcNotification,
  JsonRpcSuccess,
  JsonRpcError,
  JsonRpcResponse,
  JsonRpcMessage,
  ErrorObject,
} from './jsonrpc.js';
export { BINDING_NAME_PATTERN, BindingName, STANDARD_EFFECTS, Effect, Hints, BindingMeta } from './bindings.js';
export { SENTINEL_KEY, FunctionRefId, FunctionRef, hasSentinelKey } from './functionRef.js';
export {
  BINDING_PATTERN,
  BindingPattern,
  MAX_BINDING_PATTERNS,
  ServerBindingScope,
  bindingPatternMatcher,
  combineScopes,
} from './serverBindingScope.js';
export { MAX_VALUE_DEPTH, MAX_MESSAGE_DEPTH, DEFAULT_MAX_MESSAGE_BYTES } from './valueRules.js';
export { exceedsUtf8Bytes, utf8ByteLength } from './utf8.js';
export {
  Method,
  SessionId,
  HandshakeParams,
  HandshakeResult,
  EvalParams,
  EvalResult,
  ValueResult,
  InvokeByName,
  InvokeByRef,
  InvokeParams,
  InvokeResult,
  ReleaseParams,
  CancelParams,
} from './methods.js';
export {
  ErrorCode,
  errorCodeName,
  TERMINAL_HANDSHAKE_CODES,
  ValidationIssue,
  InvalidParamsData,
  EvalErrorData,
  LIMIT_KINDS,
  LimitExceededData,
  UnsupportedVersionData,
} from './errors.js';
export type { ErrorCodeName, ErrorCodeValue, LimitKind } from './errors.js';
export { compileSchema } from './validate.js';
export { bindingRefIssues, bindingSchema } from './schemaRefs.js';
export type { Validator } from './validate.js';
export { validators } from './validators.js';
export { classifyMessage } from './message.js';
export type { ClassifiedMessage } from './message.js';
export {
  CONSOLE_BINDING_NAME,
  LOG_BINDING_NAME,
  CONFIRM_BINDING_NAME,
  ConfirmParams,
  LogLevel,
  LogEntry,
  ConsoleEntry,
  HtmlPanelShowParams,
  HtmlPanelIdParams,
  FilePosition,
  FileCommentShowParams,
  STANDARD_CLIENT_BINDINGS,
} from './standardBindings.js';
export type { StandardClientBindingName } from './standardBindings.js';
