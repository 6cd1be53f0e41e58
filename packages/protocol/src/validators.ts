import { BindingMeta } from './bindings.js';
import { FunctionRef } from './functionRef.js';
import { JsonRpcError, JsonRpcNotification, JsonRpcRequest, JsonRpcSuccess } from './jsonrpc.js';
import {
  CancelParams,
  EvalParams,
  EvalResult,
  HandshakeParams,
  HandshakeResult,
  InvokeParams,
  InvokeResult,
  ReleaseParams,
} from './methods.js';
import { compileSchema } from './validate.js';

/** Compiled validators for every wire shape; peers run them on each inbound message. */
export const validators = {
  request: compileSchema<JsonRpcRequest>(JsonRpcRequest),
  notification: compileSchema<JsonRpcNotification>(JsonRpcNotification),
  success: compileSchema<JsonRpcSuccess>(JsonRpcSuccess),
  error: compileSchema<JsonRpcError>(JsonRpcError),
  handshakeParams: compileSchema<HandshakeParams>(HandshakeParams),
  handshakeResult: compileSchema<HandshakeResult>(HandshakeResult),
  evalParams: compileSchema<EvalParams>(EvalParams),
  evalResult: compileSchema<EvalResult>(EvalResult),
  invokeParams: compileSchema<InvokeParams>(InvokeParams),
  invokeResult: compileSchema<InvokeResult>(InvokeResult),
  releaseParams: compileSchema<ReleaseParams>(ReleaseParams),
  cancelParams: compileSchema<CancelParams>(CancelParams),
  bindingMeta: compileSchema<BindingMeta>(BindingMeta),
  functionRef: compileSchema<FunctionRef>(FunctionRef),
} as const;
