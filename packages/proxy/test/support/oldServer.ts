import type { Transport } from '@scomp/peer';

/**
 * The client end of a connection to a server of an older protocol, made from one to the current
 * server: `rewrite` changes the params of each handshake the client sends, the n-th being `count`
 * (from 1), as the older server would read them.
 */
export function asOlderServer(transport: Transport, rewrite: (params: Record<string, unknown>, count: number) => void): Transport {
  let handshakes = 0;
  return {
    start: (handler) => transport.start(handler),
    send: (message) => {
      const parsed = JSON.parse(message) as { method?: string; params?: Record<string, unknown> };
      if (parsed.method !== 'handshake' || !parsed.params) return transport.send(message);
      rewrite(parsed.params, ++handshakes);
      transport.send(JSON.stringify(parsed));
    },
    close: (info) => transport.close(info),
    get closed() {
      return transport.closed;
    },
    get ended() {
      return transport.ended;
    },
  };
}
