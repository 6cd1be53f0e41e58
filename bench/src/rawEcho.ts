import type { WebSocket, WebSocketServer } from 'ws';

/**
 * The transport's floor: JSON-RPC-shaped messages of chosen sizes over a bare `ws` socket. Both
 * ends parse and serialize every message, as any JSON protocol must, and nothing else.
 */

const pads = new Map<number, string>();
function pad(length: number): string {
  let text = pads.get(length);
  if (text === undefined) pads.set(length, (text = 'x'.repeat(Math.max(0, length))));
  return text;
}

const REQUEST_OVERHEAD = JSON.stringify({ jsonrpc: '2.0', id: 1000, method: 'echo', params: { r: 100, pad: '' } }).length;
const RESPONSE_OVERHEAD = JSON.stringify({ jsonrpc: '2.0', id: 1000, result: { pad: '' } }).length;

/** Answers every request with a response of the size it asks for. */
export function serveRawEcho(wss: WebSocketServer): void {
  wss.on('connection', (ws) => {
    ws.on('message', (data) => {
      // eslint-disable-next-line @typescript-eslint/no-base-to-string -- `ws` hands a text frame over as one Buffer
      const message = JSON.parse(String(data)) as { id: number; params: { r: number } };
      ws.send(JSON.stringify({ jsonrpc: '2.0', id: message.id, result: { pad: pad(message.params.r - RESPONSE_OVERHEAD) } }));
    });
  });
}

export class RawEchoClient {
  private nextId = 1;
  private readonly pending = new Map<number, () => void>();

  constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => {
      // eslint-disable-next-line @typescript-eslint/no-base-to-string -- `ws` hands a text frame over as one Buffer
      const message = JSON.parse(String(data)) as { id: number };
      const done = this.pending.get(message.id);
      this.pending.delete(message.id);
      done?.();
    });
  }

  /** One round trip: a request of `requestBytes` answered by a response of `responseBytes`. */
  call(requestBytes: number, responseBytes: number): Promise<void> {
    const id = this.nextId++;
    const text = JSON.stringify({ jsonrpc: '2.0', id, method: 'echo', params: { r: responseBytes, pad: pad(requestBytes - REQUEST_OVERHEAD) } });
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.ws.send(text);
    });
  }

  close(): void {
    this.ws.close();
  }
}
