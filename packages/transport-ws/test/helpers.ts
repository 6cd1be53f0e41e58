import type { Transport, TransportCloseInfo } from '@scomp/peer';
import { listenWebSocket, type ListenWebSocketOptions, type WebSocketListener } from '../src/node.js';

/** A listener on 127.0.0.1:0 whose connections can be awaited one by one. */
export async function listen(
  options: Partial<ListenWebSocketOptions> = {},
): Promise<WebSocketListener & { nextConnection(): Promise<Transport> }> {
  const arrived: Transport[] = [];
  const waiting: Array<(transport: Transport) => void> = [];
  const listener = await listenWebSocket({
    host: '127.0.0.1',
    port: 0,
    ...options,
    onConnection: (transport, info) => {
      options.onConnection?.(transport, info);
      const waiter = waiting.shift();
      if (waiter) waiter(transport);
      else arrived.push(transport);
    },
  });
  return Object.assign(listener, {
    nextConnection: (): Promise<Transport> =>
      arrived.length > 0 ? Promise.resolve(arrived.shift()!) : new Promise((resolve) => waiting.push(resolve)),
  });
}

/** Starts `transport` and resolves with its close info. */
export function closeOf(transport: Transport, messages: string[] = []): Promise<TransportCloseInfo> {
  return new Promise((close) => transport.start({ message: (message) => messages.push(message), close }));
}
