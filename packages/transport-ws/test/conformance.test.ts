import { transportConformance } from '@scomp/peer/testing';
import { describe, it } from 'vitest';
import { WebSocket } from 'ws';
import { connectWebSocket as connectNeutral, type WebSocketConstructor } from '../src/index.js';
import { connectWebSocket } from '../src/node.js';
import { listen } from './helpers.js';

describe('node client to node server over loopback', () => {
  transportConformance({
    describe,
    it,
    createPair: async () => {
      const listener = await listen();
      const [client, server] = await Promise.all([connectWebSocket(listener.url), listener.nextConnection()]);
      return {
        client,
        server,
        dispose: async () => {
          client.close();
          await listener.close();
        },
      };
    },
  });
});

const platformWebSocket = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
const implementations: Array<[string, WebSocketConstructor | undefined]> = [
  ['an injected ws WebSocket', WebSocket],
  ['the platform WebSocket', platformWebSocket],
];

for (const [name, implementation] of implementations) {
  describe.skipIf(!implementation)(`runtime-neutral client on ${name} to node server`, () => {
    transportConformance({
      describe,
      it,
      createPair: async () => {
        const listener = await listen();
        const [client, server] = await Promise.all([
          connectNeutral(listener.url, { WebSocket: implementation }),
          listener.nextConnection(),
        ]);
        return {
          client,
          server,
          dispose: async () => {
            client.close();
            await listener.close();
          },
        };
      },
    });
  });
}
