import {
  classifyMessage,
  ErrorCode,
  MAX_MESSAGE_DEPTH,
  Method,
  validators,
  type ErrorObject,
  type JsonRpcRequest,
  type RequestId,
} from '@scomp/protocol';
import {
  AbortedError,
  CancelledError,
  ConnectionClosedError,
  InternalError,
  InvalidParamsError,
  InvalidRequestError,
  LimitExceededError,
  ParseError,
  fromErrorObject,
  toScompError,
  type ScompError,
} from './errors.js';
import { CloseCode } from './closeCodes.js';
import { nestsDeeperThan, topLevelOnly } from './messageDepth.js';
import { PendingRequests } from './pending.js';
import { splitValueResponse, stringifyMessage } from './rawJson.js';
import { exceedsUtf8Bytes } from './utf8.js';
import type { Transport, TransportCloseInfo } from './transport.js';

/** What a request handler sees besides its params. */
export interface InboundContext {
  id: RequestId;
  /** Aborts when the sender cancels this request. */
  cancelSignal: AbortSignal;
  /** Aborts when the sender cancels this request or the connection closes. */
  signal: AbortSignal;
  /** Runs `callback` once this request's response has been sent (or dropped). */
  afterResponse(callback: () => void): void;
}

export interface ConnectionHandlers {
  /** Answers one inbound request. A thrown ScompError becomes its error response; anything else an InternalError. */
  request(method: string, params: unknown, context: InboundContext): Promise<unknown>;
  notification(method: string, params: unknown): void;
  /** Whether the connection closes after answering request `id` with `error` (a failed handshake). @default never */
  closesAfter?(id: RequestId, error: ScompError): boolean;
}

export interface RequestOptions {
  /** Local deadline in milliseconds. @default no deadline */
  timeoutMs?: number;
  signal?: AbortSignal;
  /**
   * A result `{ value }` whose value holds no function references resolves with the value as
   * RawJson, never parsed here: for a caller that only sends it on. @default false
   */
  rawValue?: boolean;
}

export interface ConnectionOptions {
  /**
   * Largest message this peer sends, in UTF-8 bytes: a larger response is replaced by LimitExceeded
   * `messageBytes`, a larger request fails locally. Match the transport's inbound limit.
   * @default no limit
   */
  maxMessageBytes?: number;
  /** Inbound requests this connection runs at once; more are answered with LimitExceeded. @default 1024 */
  maxInboundRequests?: number;
  /**
   * Outbound requests awaiting their answer; another fails locally with LimitExceeded
   * `pendingInvokes`, so a peer that never answers cannot make them pile up. @default no limit
   */
  maxOutboundRequests?: number;
  /**
   * A tighter limit on inbound messages, in UTF-8 bytes, asked for each message (a server asks for
   * one before the handshake). A larger message is answered LimitExceeded `messageBytes` and the
   * connection closes with 1009, as a transport does past its own limit; it is never parsed.
   * @default the transport's limit only
   */
  inboundLimitBytes?(): number | undefined;
  /** Told once when the connection closes, after every pending call has been rejected. */
  onClose?(info: TransportCloseInfo): void;
  /** Told of faults that have no caller to report to (a handler's internal error, a send that failed). */
  onFault?(error: unknown): void;
}

/**
 * One JSON-RPC 2.0 endpoint over a transport, symmetric in both directions. Responses are
 * dispatched as they arrive, never behind a request handler, so nested calls in either direction
 * cannot deadlock.
 */
export class Connection {
  private readonly pending = new PendingRequests();
  private readonly inbound = new Map<RequestId, InboundRequest>();
  /** Requests whose result value may arrive as RawJson (RequestOptions.rawValue). */
  private readonly rawValues = new Set<number>();
  private readonly closeController = new AbortController();
  private nextId = 1;
  private closeError: ConnectionClosedError | undefined;

  constructor(
    private readonly transport: Transport,
    private readonly handlers: ConnectionHandlers,
    private readonly options: ConnectionOptions = {},
  ) {}

  start(): void {
    this.transport.start({ message: (data) => this.receive(data), close: (info) => this.onTransportClose(info) });
  }

  get closed(): boolean {
    return this.closeError !== undefined;
  }

  /** Aborts when the connection closes. */
  get closeSignal(): AbortSignal {
    return this.closeController.signal;
  }

  get stats(): { pendingOutbound: number; activeInbound: number } {
    return { pendingOutbound: this.pending.size, activeInbound: this.inbound.size };
  }

  request(method: string, params: unknown, options: RequestOptions = {}): Promise<unknown> {
    if (this.closeError) return Promise.reject(this.closeError);
    // Not sent at all: its cancel would reach the peer before it, and the peer would run it anyway.
    if (options.signal?.aborted) return Promise.reject(new AbortedError('aborted', { cause: options.signal.reason }));
    const maxOutbound = this.options.maxOutboundRequests;
    if (maxOutbound !== undefined && this.pending.size >= maxOutbound) {
      return Promise.reject(
        new LimitExceededError(`more than ${maxOutbound} requests awaiting an answer`, { limit: 'pendingInvokes', max: maxOutbound }),
      );
    }
    const id = this.nextId++;
    let text: string;
    try {
      text = stringifyMessage({ jsonrpc: '2.0', id, method, params });
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.tooLarge(text)) return Promise.reject(this.tooLargeError('request'));
    const result = this.pending.track(id, {
      ...options,
      onAbandon: (error) => this.notify(Method.cancel, { id, reason: error.message }),
    });
    if (options.rawValue) {
      this.rawValues.add(id);
      result.then(
        () => this.rawValues.delete(id),
        () => this.rawValues.delete(id),
      );
    }
    try {
      this.transport.send(text);
    } catch (error) {
      this.pending.reject(id, error instanceof Error ? error : new ConnectionClosedError());
    }
    return result;
  }

  /** Sends a notification; one larger than `maxMessageBytes` is dropped and reported as a fault. */
  notify(method: string, params: unknown): void {
    if (this.closeError) return;
    let text: string;
    try {
      text = stringifyMessage({ jsonrpc: '2.0', method, params });
    } catch (error) {
      return this.options.onFault?.(error);
    }
    if (this.tooLarge(text)) return this.options.onFault?.(this.tooLargeError(`${method} notification`));
    this.sendText(text);
  }

  close(info: TransportCloseInfo = {}): void {
    this.transport.close(info);
  }

  private sendText(text: string): void {
    try {
      this.transport.send(text);
    } catch (error) {
      this.options.onFault?.(error);
    }
  }

  private receive(data: string): void {
    const limit = this.options.inboundLimitBytes?.();
    if (limit !== undefined && exceedsUtf8Bytes(data, limit)) return this.refuseTooLarge(data, limit);
    if (nestsDeeperThan(data, MAX_MESSAGE_DEPTH)) return this.refuseTooDeep(data);
    if (this.rawValues.size > 0) {
      const response = splitValueResponse(data);
      if (response && this.rawValues.has(response.id)) return this.onResponse(response.id, { value: response.value }, undefined);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      this.failUnreadableResponse(data);
      return this.sendError(null, new ParseError('invalid JSON'));
    }
    const classified = classifyMessage(parsed);
    switch (classified.kind) {
      case 'request':
        return this.onRequest(classified.message);
      case 'notification':
        return this.onNotification(classified.message.method, classified.message.params);
      case 'success':
        return this.onResponse(classified.message.id, classified.message.result, undefined);
      case 'error':
        return this.onResponse(classified.message.id, undefined, classified.message.error);
      case 'invalid':
        return this.sendError(classified.id, new InvalidRequestError(classified.reason));
    }
  }

  /** Answers a message over the inbound limit (its top level says whom), then closes the connection. */
  private refuseTooLarge(data: string, max: number): void {
    const reason = `message larger than ${max} bytes`;
    const classified = classifyMessage(topLevelOnly(data));
    if (classified.kind === 'request') this.sendError(classified.message.id, new LimitExceededError(reason, { limit: 'messageBytes', max }));
    this.close({ code: CloseCode.MessageTooBig, reason });
  }

  /**
   * A response that is not valid JSON, but whose top level still names a request this side awaits,
   * fails that request rather than leave it waiting: a raw value passed on unparsed (RawJson) is
   * checked only for its structure, so a malformed one surfaces here, one hop on.
   */
  private failUnreadableResponse(data: string): void {
    const classified = classifyMessage(topLevelOnly(data));
    if (classified.kind !== 'success' && classified.kind !== 'error') return;
    const id = classified.message.id;
    if (typeof id === 'number' && this.pending.has(id)) this.pending.reject(id, new InvalidParamsError('response is not valid JSON'));
  }

  /** Answers a message nested too deeply to handle; its top level still says whom to answer. */
  private refuseTooDeep(data: string): void {
    const reason = `message nests deeper than ${MAX_MESSAGE_DEPTH} levels`;
    const classified = classifyMessage(topLevelOnly(data));
    if (classified.kind === 'request') return this.sendError(classified.message.id, new InvalidRequestError(reason));
    if (classified.kind === 'success' || classified.kind === 'error') {
      const id = classified.message.id;
      if (typeof id === 'number' && this.pending.has(id)) {
        this.pending.reject(id, new InvalidParamsError(`response ${reason}`));
        return;
      }
    }
    if (classified.kind !== 'notification') this.sendError(null, new InvalidRequestError(reason));
  }

  private onResponse(id: RequestId | null, result: unknown, error: ErrorObject | undefined): void {
    if (typeof id === 'number' && this.pending.has(id)) {
      if (error) this.pending.reject(id, fromErrorObject(error));
      else this.pending.resolve(id, result);
      return;
    }
    // An error response is never answered (two peers would echo errors forever); a stray
    // success response is reported without echoing its id, which may belong to a live request.
    if (!error) this.sendError(null, new InvalidRequestError(`response to unknown request id ${JSON.stringify(id)}`));
  }

  private onNotification(method: string, params: unknown): void {
    if (method === Method.cancel) {
      if (!validators.cancelParams.check(params)) return;
      const running = this.inbound.get(params.id);
      if (!running || running.cancelled) return;
      const error = new CancelledError('cancelled');
      running.cancel(error);
      // Answered now, whatever the handler does next; its own outcome is discarded.
      this.sendError(params.id, error);
      return;
    }
    try {
      this.handlers.notification(method, params);
    } catch (error) {
      this.options.onFault?.(error);
    }
  }

  private onRequest(message: JsonRpcRequest): void {
    const { id, method, params } = message;
    if (this.inbound.has(id)) return this.sendError(id, new InvalidRequestError(`duplicate request id ${JSON.stringify(id)}`));
    const max = this.options.maxInboundRequests ?? 1024;
    if (this.inbound.size >= max) {
      return this.sendError(id, new LimitExceededError(`more than ${max} requests in flight`, { limit: 'pendingRequests', max }));
    }
    const running = new InboundRequest();
    if (this.closeError) running.close(this.closeError);
    this.inbound.set(id, running);
    const after: (() => void)[] = [];
    const context: InboundContext = {
      id,
      get cancelSignal() {
        return running.cancelSignal;
      },
      get signal() {
        return running.signal;
      },
      afterResponse: (callback) => after.push(callback),
    };
    new Promise<unknown>((resolve) => resolve(this.handlers.request(method, params, context)))
      .then(
        (result) => {
          if (!running.cancelled) this.respond(id, result ?? {});
        },
        (error: unknown) => {
          if (running.cancelled) return;
          const scompError = toScompError(error);
          if (scompError.code === ErrorCode.InternalError && scompError.cause !== undefined) this.options.onFault?.(scompError);
          this.sendError(id, scompError);
          if (this.handlers.closesAfter?.(id, scompError)) this.close({ code: CloseCode.HandshakeFailed, reason: scompError.message });
        },
      )
      .finally(() => {
        this.inbound.delete(id);
        for (const callback of after) {
          try {
            callback();
          } catch (error) {
            this.options.onFault?.(error);
          }
        }
      });
  }

  /** Answers once; a result that cannot be serialized is answered with an InternalError instead. */
  private respond(id: RequestId, result: unknown): void {
    if (this.closeError) return;
    let text: string;
    try {
      text = stringifyMessage({ jsonrpc: '2.0', id, result });
    } catch (error) {
      this.options.onFault?.(error);
      return this.sendError(id, new InternalError('result could not be serialized'));
    }
    if (this.tooLarge(text)) return this.sendError(id, this.tooLargeError('response'));
    this.sendText(text);
  }

  private tooLarge(text: string): boolean {
    return this.options.maxMessageBytes !== undefined && exceedsUtf8Bytes(text, this.options.maxMessageBytes);
  }

  private tooLargeError(what: string): LimitExceededError {
    const max = this.options.maxMessageBytes;
    return new LimitExceededError(`${what} larger than ${max} bytes`, { limit: 'messageBytes', max });
  }

  /** Answers with an error; one whose message or data would make it too large is answered LimitExceeded instead. */
  private sendError(id: RequestId | null, error: ScompError): void {
    if (this.closeError) return;
    let text: string;
    try {
      text = stringifyMessage({ jsonrpc: '2.0', id, error: error.toErrorObject() });
    } catch (cause) {
      this.options.onFault?.(cause);
      text = stringifyMessage({ jsonrpc: '2.0', id, error: new InternalError('error could not be serialized').toErrorObject() });
    }
    if (this.tooLarge(text)) text = stringifyMessage({ jsonrpc: '2.0', id, error: this.tooLargeError('error response').toErrorObject() });
    this.sendText(text);
  }

  private onTransportClose(info: TransportCloseInfo): void {
    const reason = info.reason || info.error?.message;
    this.closeError = new ConnectionClosedError(reason ? `connection closed: ${reason}` : 'connection closed', {
      cause: info.error ?? info,
    });
    this.pending.rejectAll(this.closeError);
    this.closeController.abort(this.closeError);
    for (const running of this.inbound.values()) running.close(this.closeError);
    this.options.onClose?.(info);
  }
}

/**
 * The abort signals of one running request. Plain controllers rather than `AbortSignal.any`, which
 * over the connection's long-lived close signal costs tens of microseconds per request and more as
 * requests accumulate. Each signal is made on first use: an eval reads only the cancel-only one,
 * an invoke only the other, and making an AbortSignal costs several microseconds.
 */
class InboundRequest {
  private wholeController: AbortController | undefined;
  private cancelController: AbortController | undefined;
  private cancelError: Error | undefined;
  /** Why the whole signal aborts: the first of a cancel and the connection's close. */
  private endError: Error | undefined;

  get cancelled(): boolean {
    return this.cancelError !== undefined;
  }

  /** Aborts when the sender cancels this request or the connection closes. */
  get signal(): AbortSignal {
    if (!this.wholeController) {
      this.wholeController = new AbortController();
      if (this.endError) this.wholeController.abort(this.endError);
    }
    return this.wholeController.signal;
  }

  /** Aborts only when the sender cancels this request. */
  get cancelSignal(): AbortSignal {
    if (!this.cancelController) {
      this.cancelController = new AbortController();
      if (this.cancelError) this.cancelController.abort(this.cancelError);
    }
    return this.cancelController.signal;
  }

  cancel(error: Error): void {
    this.cancelError = error;
    this.cancelController?.abort(error);
    this.end(error);
  }

  close(error: Error): void {
    this.end(error);
  }

  private end(error: Error): void {
    if (this.endError) return;
    this.endError = error;
    this.wholeController?.abort(error);
  }
}
