import { bindingSchema, Method, validators, type BindingMeta, type FunctionRef, type InvokeParams, type RequestId } from '@scomp/protocol';
import { decodeValue } from './codec.js';
import { Connection, type InboundContext, type RequestOptions } from './connection.js';
import { BindingNotFoundError, InvalidParamsError, MethodNotFoundError, type ScompError } from './errors.js';
import { release, releaseUnretained } from './functions.js';
import { FunctionRefs, type RefStats } from './functionRefs.js';
import { fnSignatures } from './fnSignatures.js';
import { RawJson } from './rawJson.js';
import type { HostFunction } from './runtime.js';
import type { Transport, TransportCloseInfo } from './transport.js';

/** A local callable the other side may invoke by name. */
export interface LocalBinding {
  call(args: unknown, context: { signal: AbortSignal }): Promise<unknown>;
  /** Its declaration: functions in results get the signatures its `output` schema gives them. */
  meta?: BindingMeta;
}

export interface EndpointOptions {
  /** Requests other than invoke (handshake, eval). Throw MethodNotFoundError for unknown ones. */
  onRequest?(method: string, params: unknown, context: InboundContext): Promise<unknown>;
  /** Whether the connection closes after answering request `id` with `error` (a failed handshake). @default never */
  closesAfter?(id: RequestId, error: ScompError): boolean;
  /** See {@link ConnectionOptions.inboundLimitBytes}. */
  inboundLimitBytes?(): number | undefined;
  /** Called before serving any invoke; throw to refuse (e.g. HandshakeRequired). */
  beforeInvoke?(): void;
  lookupBinding(name: string): LocalBinding | undefined;
  /** The other side's declaration of binding `name`: functions in args get the signatures its `input` gives them. */
  remoteBinding?(name: string): BindingMeta | undefined;
  onClose?(info: TransportCloseInfo): void;
  onFault?(error: unknown): void;
  maxInboundRequests?: number;
  /** Invokes this side may await answers to at once. @default no limit */
  maxOutboundRequests?: number;
  maxMessageBytes?: number;
  /** @default 10000 */
  maxExportedRefs?: number;
}

export type InvokeTarget = { name: string } | { ref: string };

/**
 * The symmetric half of scomp both roles share: invoke by name or by reference in either
 * direction, function references, and release. Roles add handshake, eval and sessions on top.
 */
export class Endpoint {
  readonly connection: Connection;
  readonly refs: FunctionRefs;

  constructor(
    transport: Transport,
    private readonly options: EndpointOptions,
  ) {
    this.connection = new Connection(
      transport,
      {
        request: (method, params, context) => this.onRequest(method, params, context),
        closesAfter: (id, error) => options.closesAfter?.(id, error) ?? false,
        notification: (method, params) => this.onNotification(method, params),
      },
      {
        maxInboundRequests: options.maxInboundRequests,
        maxOutboundRequests: options.maxOutboundRequests,
        maxMessageBytes: options.maxMessageBytes,
        ...(options.inboundLimitBytes ? { inboundLimitBytes: options.inboundLimitBytes } : {}),
        onFault: options.onFault,
        onClose: (info) => {
          this.refs.dropAll();
          options.onClose?.(info);
        },
      },
    );
    this.refs = new FunctionRefs(
      this.connection,
      (ref, args, callOptions) => this.invoke({ ref }, args, callOptions?.signal ? { signal: callOptions.signal } : {}),
      options.maxExportedRefs,
    );
  }

  start(): void {
    this.connection.start();
  }

  refStats(): RefStats {
    return this.refs.stats();
  }

  /** Calls a binding or function reference of the other side; functions in `args` travel as references. */
  async invoke(target: InvokeTarget, args: unknown, options: RequestOptions = {}): Promise<unknown> {
    const params: Record<string, unknown> = { ...target };
    if (args !== undefined) params.args = this.refs.encode(args, this.argSignatures(target, args));
    const result = await this.connection.request(Method.invoke, params, options);
    return this.decodeResult(result);
  }

  /** Fire-and-forget invoke: no response, no error. */
  notifyInvoke(target: InvokeTarget, args: unknown): void {
    const params: Record<string, unknown> = { ...target };
    if (args !== undefined) params.args = this.refs.encode(args, this.argSignatures(target, args));
    this.connection.notify(Method.invoke, params);
  }

  /** Decodes a `{value?}` result; a malformed one is the other side's protocol fault. */
  decodeResult(result: unknown): unknown {
    // Asked for unparsed (RequestOptions.rawValue): JSON text without references, nothing to decode.
    if ((result as { value?: unknown } | undefined)?.value instanceof RawJson) return (result as { value: RawJson }).value;
    if (!validators.invokeResult.check(result)) throw new InvalidParamsError('malformed result from peer');
    if (result.value === undefined) return undefined;
    const received: HostFunction[] = [];
    try {
      return decodeValue(result.value, this.refs, received);
    } catch (error) {
      for (const fn of received) release(fn);
      throw error;
    }
  }

  /** Encodes a local value as `{value?}`. */
  encodeResult(value: unknown, meta?: BindingMeta): { value?: unknown } {
    if (value === undefined) return {};
    return { value: this.refs.encode(value, meta && fnSignatures(bindingSchema(meta, 'output'), value)) };
  }

  /** Signatures the other side's declaration of `target` gives the functions in `args`. */
  private argSignatures(target: InvokeTarget, args: unknown) {
    const meta = 'name' in target ? this.options.remoteBinding?.(target.name) : undefined;
    return meta && fnSignatures(bindingSchema(meta, 'input'), args);
  }

  private async onRequest(method: string, params: unknown, context: InboundContext): Promise<unknown> {
    if (method === Method.invoke) {
      this.options.beforeInvoke?.();
      const received: HostFunction[] = [];
      // The caller learns the outcome first; the references its args brought are released after.
      context.afterResponse(() => releaseUnretained(received));
      const served: { meta?: BindingMeta } = {};
      return this.encodeResult(await this.serveInvoke(params, context.signal, received, served), served.meta);
    }
    if (this.options.onRequest) return this.options.onRequest(method, params, context);
    throw new MethodNotFoundError(`unknown method ${method}`);
  }

  private onNotification(method: string, params: unknown): void {
    if (method === Method.release) {
      if (validators.releaseParams.check(params)) this.refs.releaseExports(params.refs);
      return;
    }
    if (method === Method.invoke) {
      try {
        this.options.beforeInvoke?.();
      } catch {
        return;
      }
      const received: HostFunction[] = [];
      this.serveInvoke(params, this.connection.closeSignal, received)
        .catch((error: unknown) => this.options.onFault?.(error))
        .finally(() => releaseUnretained(received));
    }
    // Unknown notifications are ignored, as JSON-RPC requires.
  }

  /**
   * Runs one inbound invoke. Functions received in its args are collected in `received`; the
   * caller releases those not retained once the call is over.
   */
  private async serveInvoke(
    params: unknown,
    signal: AbortSignal,
    received: HostFunction[],
    served: { meta?: BindingMeta } = {},
  ): Promise<unknown> {
    if (!validators.invokeParams.check(params)) {
      const issues = validators.invokeParams.issues(params);
      throw InvalidParamsError.fromIssues(issues);
    }
    const target = this.resolveTarget(params, served);
    const args = params.args === undefined ? undefined : decodeValue(params.args, this.refs, received);
    if ('ref' in params) this.refs.checkArgs(params.ref, args);
    return target(args, signal);
  }

  private resolveTarget(
    params: InvokeParams,
    served: { meta?: BindingMeta },
  ): (args: unknown, signal: AbortSignal) => Promise<unknown> {
    if ('ref' in params) {
      const fn = this.refs.lookup(params.ref);
      return (args, signal) => fn(args, { signal });
    }
    const binding = this.options.lookupBinding(params.name);
    if (!binding) throw new BindingNotFoundError(`binding not found: ${params.name}`, { name: params.name });
    served.meta = binding.meta;
    return (args, signal) => binding.call(args, { signal });
  }
}

export type { FunctionRef };
