import { describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import {
  connectWebSocket as connectNeutral,
  webSocketTransportFactory as neutralFactory,
  WebSocketConnectError,
} from '../src/index.js';
import { connectWebSocket, webSocketTransportFactory } from '../src/node.js';
import { closeOf, listen } from './helpers.js';

describe('runtime-neutral WebSocket client', () => {
  it('closes with 1009 when the server sends an over-size message', async () => {
    await using listener = await listen();
    const client = await connectNeutral(listener.url, { WebSocket, maxMessageBytes: 100 });
    const server = await listener.nextConnection();
    const serverClosed = closeOf(server);
    const messages: string[] = [];
    const clientClosed = closeOf(client, messages);
    server.send('{"small":1}');
    server.send(JSON.stringify({ filler: 'é'.repeat(60) }));
    const info = await clientClosed;
    expect(messages).toEqual(['{"small":1}']);
    expect(info).toMatchObject({ code: 1009, reason: 'message exceeds maxMessageBytes (100 bytes)' });
    // A browser may only send 1000 or 4xxx, so the reason travels with 1000.
    expect(await serverClosed).toMatchObject({ code: 1000, reason: 'message exceeds maxMessageBytes (100 bytes)' });
  });

  it('rejects when the connection cannot be opened', async () => {
    const listener = await listen();
    const url = listener.url;
    await listener.close();
    await expect(connectNeutral(url, { WebSocket })).rejects.toBeInstanceOf(WebSocketConnectError);
  });

  it('rejects, rather than throws, for a malformed URL', async () => {
    await expect(connectNeutral('not a url', { WebSocket })).rejects.toBeInstanceOf(WebSocketConnectError);
    await expect(connectWebSocket('not a url')).rejects.toBeInstanceOf(WebSocketConnectError);
  });

  it('rejects when there is no WebSocket implementation', async () => {
    vi.stubGlobal('WebSocket', undefined);
    try {
      await expect(connectNeutral('ws://127.0.0.1:1/')).rejects.toThrow(/no WebSocket implementation/);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});

describe('webSocketTransportFactory', () => {
  for (const [name, factory] of [
    ['node', (url: () => string) => webSocketTransportFactory(url)],
    ['runtime-neutral', (url: () => string) => neutralFactory(url, { WebSocket })],
  ] as const) {
    it(`opens a fresh connection per call, reading the URL each time (${name})`, async () => {
      await using listener = await listen();
      const urls: string[] = [];
      const create = factory(() => {
        urls.push(`${listener.url}?attempt=${urls.length + 1}`);
        return urls[urls.length - 1]!;
      });
      const first = await create();
      first.close();
      const second = await create();
      expect(second).not.toBe(first);
      expect(second.closed).toBe(false);
      second.close();
      expect(urls).toHaveLength(2);
    });
  }
});
