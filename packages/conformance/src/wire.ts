import { ErrorCode } from '@scomp/protocol/error-codes';

/** A JSON value as received; the kit inspects messages structurally rather than trusting their shape. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** How a connection ended, as its transport reported it. */
export interface CloseInfo {
  code?: number;
  reason?: string;
  error?: Error;
}

/**
 * The byte level the kit drives: the transport contract of `@scomp/transport-ws` and
 * `@scomp/transport-stdio` (one JSON-RPC message per `send`, whole messages in, one close).
 */
export interface RawTransport {
  start(handler: { message(data: string): void; close(info: CloseInfo): void }): void;
  send(message: string): void;
  close(info?: { code?: number; reason?: string }): void;
  readonly closed: boolean;
}

/** A server request the kit has not answered automatically: the case answers it when it chooses. */
export interface InboundCall {
  readonly message: JsonObject;
  readonly params: JsonObject;
  respond(result: JsonObject): void;
  fail(code: number, message: string, data?: Json): void;
}

/** Answers an inbound invoke by name or ref; its result becomes the response. */
export type InvokeHandler = (args: Json | undefined, message: JsonObject) => JsonObject | Promise<JsonObject>;

/** A wire error a handler throws to answer with an error response. */
export class WireError extends Error {
  override name = 'WireError';
  constructor(
    readonly code: number,
    message: string,
    readonly data?: Json,
  ) {
    super(message);
  }
}

/** No message the kit waited for arrived in time. */
export class WireTimeoutError extends Error {
  override name = 'WireTimeoutError';
}

export interface WireConnectionOptions {
  /** How long `request` and `waitFor` wait before failing. @default 10000 */
  timeoutMs?: number;
}

interface Waiter {
  match(message: Json): boolean;
  resolve(message: Json): void;
}

/**
 * A hand-driven JSON-RPC connection: sends any text, keeps every message received in order, and
 * answers the server's invokes from handlers registered by name or ref. It checks nothing itself;
 * cases look at what it recorded.
 */
export class WireConnection {
  /** Every message received, parsed; text that was not JSON is kept as `{ unparsable: text }`. */
  readonly received: Json[] = [];
  /** Messages this connection sent, as text, in order. */
  readonly sent: string[] = [];
  private readonly waiters = new Set<Waiter>();
  private readonly closeWaiters: ((info: CloseInfo) => void)[] = [];
  private readonly byName = new Map<string, InvokeHandler>();
  private readonly byRef = new Map<string, InvokeHandler>();
  private readonly manual: InboundCall[] = [];
  private readonly manualNames = new Set<string>();
  private readonly manualWaiters: { name: string; resolve(call: InboundCall): void }[] = [];
  private closeInfo: CloseInfo | undefined;
  private nextId = 1;
  readonly timeoutMs: number;

  constructor(
    private readonly transport: RawTransport,
    options: WireConnectionOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    transport.start({
      message: (data) => this.receive(data),
      close: (info) => {
        this.closeInfo = info;
        for (const waiter of this.closeWaiters.splice(0)) waiter(info);
      },
    });
  }

  get closed(): CloseInfo | undefined {
    return this.closeInfo;
  }

  /** A fresh request id of this connection's own id space. */
  id(): number {
    return this.nextId++;
  }

  /** Sends a value as JSON, or text as is. Sending on a closed connection is ignored: the case sees the close. */
  send(message: Json | string): void {
    const text = typeof message === 'string' ? message : JSON.stringify(message);
    this.sent.push(text);
    if (!this.transport.closed) this.transport.send(text);
  }

  /** Sends a request and resolves with its response (a result or an error). */
  async request(method: string, params?: JsonObject, options: { id?: Json; timeoutMs?: number } = {}): Promise<JsonObject> {
    const id = options.id ?? this.id();
    const answer = this.waitFor(
      (message) => isResponse(message) && JSON.stringify(message.id) === JSON.stringify(id),
      `the response to ${method} request ${JSON.stringify(id)}`,
      options.timeoutMs,
    );
    this.send({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) });
    return (await answer) as JsonObject;
  }

  /** Sends any message (well-formed or not) and resolves with the response carrying `id`. */
  async exchange(message: Json | string, id: Json, what: string): Promise<JsonObject> {
    const answer = this.waitFor((received) => isResponse(received) && JSON.stringify(received.id) === JSON.stringify(id), what);
    this.send(message);
    return (await answer) as JsonObject;
  }

  notify(method: string, params?: JsonObject): void {
    this.send({ jsonrpc: '2.0', method, ...(params === undefined ? {} : { params }) });
  }

  /**
   * The first message from index `from` on (already received or still to come) that `match`
   * accepts. Rejects with {@link WireTimeoutError} naming `what`, or when the connection closes first.
   */
  waitFor(match: (message: Json) => boolean, what: string, timeoutMs = this.timeoutMs, from = 0): Promise<Json> {
    const found = this.received.slice(from).find(match);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        match,
        resolve: (message) => {
          done();
          resolve(message);
        },
      };
      const onClose = (info: CloseInfo) => {
        done();
        reject(new WireTimeoutError(`the connection closed (${describeClose(info)}) before ${what} arrived`));
      };
      const timer = setTimeout(() => {
        done();
        reject(new WireTimeoutError(`${what} did not arrive within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
        const index = this.closeWaiters.indexOf(onClose);
        if (index !== -1) this.closeWaiters.splice(index, 1);
      };
      this.waiters.add(waiter);
      if (this.closeInfo) onClose(this.closeInfo);
      else this.closeWaiters.push(onClose);
    });
  }

  /**
   * A round trip the server must answer: a request for a method no spec defines, answered
   * MethodNotFound (or HandshakeRequired before the handshake). Everything the server sent
   * before that answer arrived was caused by what was sent before it.
   */
  async barrier(): Promise<JsonObject> {
    return this.request('conformance/barrier', {});
  }

  /** Resolves when the connection closes; rejects after `timeoutMs`. */
  whenClosed(timeoutMs = this.timeoutMs): Promise<CloseInfo> {
    if (this.closeInfo) return Promise.resolve(this.closeInfo);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new WireTimeoutError(`the connection stayed open for ${timeoutMs} ms`)), timeoutMs);
      this.closeWaiters.push((info) => {
        clearTimeout(timer);
        resolve(info);
      });
    });
  }

  /** Answers the server's invokes of client binding `name` with `handler`. */
  handle(name: string, handler: InvokeHandler): void {
    this.byName.set(name, handler);
  }

  /** Answers the server's invokes of function reference `ref` (one this client issued). */
  handleRef(ref: string, handler: InvokeHandler): void {
    this.byRef.set(ref, handler);
  }

  /** Forgets a ref this client issued: later invokes of it are answered RefNotFound. */
  dropRef(ref: string): void {
    this.byRef.delete(ref);
  }

  /** Leaves the server's requests invoking binding `name` for the case to answer through {@link nextCall}. */
  hold(name: string): void {
    this.byName.delete(name);
    this.manualNames.add(name);
  }

  /** The next held request for binding `name` (already received or still to come). */
  nextCall(name: string, timeoutMs = this.timeoutMs): Promise<InboundCall> {
    const index = this.manual.findIndex((call) => call.params.name === name);
    if (index !== -1) return Promise.resolve(this.manual.splice(index, 1)[0]!);
    return new Promise((resolve, reject) => {
      const entry = {
        name,
        resolve: (call: InboundCall) => {
          clearTimeout(timer);
          resolve(call);
        },
      };
      const timer = setTimeout(() => {
        this.manualWaiters.splice(this.manualWaiters.indexOf(entry), 1);
        reject(new WireTimeoutError(`no invoke of ${name} arrived within ${timeoutMs} ms`));
      }, timeoutMs);
      this.manualWaiters.push(entry);
    });
  }

  close(): void {
    if (!this.transport.closed) this.transport.close({ code: 1000, reason: 'conformance case done' });
  }

  private receive(data: string): void {
    let message: Json;
    try {
      message = JSON.parse(data) as Json;
    } catch {
      message = { unparsable: data };
    }
    this.received.push(message);
    for (const waiter of [...this.waiters]) if (waiter.match(message)) waiter.resolve(message);
    if (isObject(message) && message.method === 'invoke') this.inboundInvoke(message);
  }

  private inboundInvoke(message: JsonObject): void {
    const params = isObject(message.params) ? message.params : {};
    const isRequest = 'id' in message;
    const name = typeof params.name === 'string' ? params.name : undefined;
    const ref = typeof params.ref === 'string' ? params.ref : undefined;
    if (name !== undefined && this.manualNames.has(name) && isRequest) {
      const call = this.inboundCall(message, params);
      const waiter = this.manualWaiters.findIndex((entry) => entry.name === name);
      if (waiter === -1) this.manual.push(call);
      else this.manualWaiters.splice(waiter, 1)[0]!.resolve(call);
      return;
    }
    const handler = name !== undefined ? this.byName.get(name) : ref !== undefined ? this.byRef.get(ref) : undefined;
    const reply = (response: JsonObject) => {
      if (isRequest) this.send({ jsonrpc: '2.0', id: message.id!, ...response });
    };
    if (!handler) {
      if (ref !== undefined) reply(errorBody(ErrorCode.RefNotFound, 'function reference not found', { ref }));
      else if (name !== undefined) reply(errorBody(ErrorCode.BindingNotFound, `binding not found: ${name}`, { name }));
      else reply(errorBody(ErrorCode.InvalidParams, 'invalid params'));
      return;
    }
    Promise.resolve()
      .then(() => handler(params.args, message))
      .then(
        (result) => reply({ result }),
        (error: unknown) =>
          reply(
            error instanceof WireError
              ? errorBody(error.code, error.message, error.data)
              : errorBody(ErrorCode.InternalError, 'internal error'),
          ),
      );
  }

  private inboundCall(message: JsonObject, params: JsonObject): InboundCall {
    let answered = false;
    const answer = (body: JsonObject) => {
      if (answered) return;
      answered = true;
      this.send({ jsonrpc: '2.0', id: message.id!, ...body });
    };
    return {
      message,
      params,
      respond: (result) => answer({ result }),
      fail: (code, text, data) => answer(errorBody(code, text, data)),
    };
  }
}

function errorBody(code: number, message: string, data?: Json): JsonObject {
  return { error: { code, message, ...(data === undefined ? {} : { data }) } };
}

export function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A message with an `id` and no `method`: a response (well-formed or not). */
export function isResponse(message: Json): message is JsonObject {
  return isObject(message) && 'id' in message && !('method' in message);
}

export function describeClose(info: CloseInfo): string {
  const parts = [];
  if (info.code !== undefined) parts.push(`code ${info.code}`);
  if (info.reason) parts.push(`"${info.reason}"`);
  if (info.error) parts.push(info.error.message);
  return parts.length > 0 ? parts.join(', ') : 'no reason given';
}
