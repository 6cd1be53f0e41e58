import type { MessageDirection } from '@scomp/peer/authoring';

/** One JSON-RPC message as it crossed the wire. */
export interface WireRecord {
  readonly seq: number;
  /** Which connection of the session carried it (1 for the first, +1 per resume). */
  readonly connection: number;
  readonly direction: MessageDirection;
  /** Milliseconds since the playground connected. */
  readonly atMs: number;
  /** UTF-8 size of the message text. */
  readonly bytes: number;
  readonly text: string;
  /** The parsed message; undefined when the text is not JSON. */
  readonly message: RpcMessage | undefined;
  /** `method` of a request or notification, `method` of the request a response answers. */
  readonly method: string | undefined;
  readonly kind: 'request' | 'notification' | 'response' | 'invalid';
  /** For a request: the record of its response, once it has arrived. */
  response?: WireRecord;
  /** For a response: the request it answers. */
  request?: WireRecord;
  /** For an invoke the server sent while an eval ran: that eval's request. */
  causedBy?: WireRecord;
  /** For an eval request: the invokes and console output it caused, in order. */
  caused?: WireRecord[];
}

export interface RpcMessage {
  jsonrpc?: string;
  id?: string | number | null;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

const encoder = new TextEncoder();

/**
 * Every message of the session in both directions, with requests paired to their responses and
 * each server-sent invoke linked to the eval that was running when it arrived (the server sends
 * an eval's invokes and console output before that eval's response, spec §6.2).
 */
export class Timeline {
  private readonly records: WireRecord[] = [];
  /** Requests awaiting a response, by connection, direction and id. */
  private readonly open = new Map<string, WireRecord>();
  /** Evals sent and not yet answered, oldest first: the first one is the one running. */
  private readonly runningEvals: WireRecord[] = [];
  private readonly startedAt: number;

  constructor(private readonly now: () => number = () => performance.now()) {
    this.startedAt = now();
  }

  get all(): readonly WireRecord[] {
    return this.records;
  }

  add(connection: number, direction: MessageDirection, text: string): WireRecord {
    const message = parse(text);
    const kind = kindOf(message);
    // A response travels the other way from its request.
    const request =
      kind === 'response' ? this.open.get(key(connection, direction === 'in' ? 'out' : 'in', message!.id)) : undefined;
    const record: WireRecord = {
      seq: this.records.length + 1,
      connection,
      direction,
      atMs: Math.round((this.now() - this.startedAt) * 10) / 10,
      bytes: encoder.encode(text).length,
      text,
      message,
      method: request ? request.method : message?.method,
      kind,
    };
    if (request) {
      this.open.delete(key(connection, request.direction, message!.id));
      request.response = record;
      record.request = request;
      const index = this.runningEvals.indexOf(request);
      if (index >= 0) this.runningEvals.splice(index, 1);
    }
    if (kind === 'request') this.open.set(key(connection, direction, message!.id), record);
    if (kind === 'request' && direction === 'out' && record.method === 'eval') {
      record.caused = [];
      this.runningEvals.push(record);
    }
    if (direction === 'in' && record.method === 'invoke' && kind !== 'response') {
      const running = this.runningEvals.find((eval_) => eval_.connection === connection);
      if (running) {
        record.causedBy = running;
        running.caused!.push(record);
      }
    }
    this.records.push(record);
    return record;
  }

  /** A connection ended: its open requests will never be answered on it. */
  connectionClosed(connection: number): void {
    for (const [key, record] of this.open) if (record.connection === connection) this.open.delete(key);
    for (let i = this.runningEvals.length - 1; i >= 0; i--) {
      if (this.runningEvals[i]!.connection === connection) this.runningEvals.splice(i, 1);
    }
  }

  /** The transcript in the spec's example format, with time and size. */
  transcript(): { from: 'client' | 'server'; connection: number; atMs: number; bytes: number; message: unknown }[] {
    return this.records.map((record) => ({
      from: record.direction === 'out' ? 'client' : 'server',
      connection: record.connection,
      atMs: record.atMs,
      bytes: record.bytes,
      message: record.message ?? record.text,
    }));
  }
}

/** Milliseconds between a request and its response, when both are known. */
export function durationMs(record: WireRecord): number | undefined {
  const other = record.response;
  return other ? Math.round((other.atMs - record.atMs) * 10) / 10 : undefined;
}

function key(connection: number, direction: MessageDirection, id: unknown): string {
  return `${connection}:${direction}:${JSON.stringify(id)}`;
}

function parse(text: string): RpcMessage | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as RpcMessage) : undefined;
  } catch {
    return undefined;
  }
}

function kindOf(message: RpcMessage | undefined): WireRecord['kind'] {
  if (!message) return 'invalid';
  if (typeof message.method === 'string') return message.id === undefined ? 'notification' : 'request';
  if ('result' in message || 'error' in message) return 'response';
  return 'invalid';
}
