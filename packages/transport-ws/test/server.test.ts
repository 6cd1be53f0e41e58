import { once } from 'node:events';
import { createServer, request as httpRequest } from 'node:http';
import { UnauthorizedError } from '@scomp/peer';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { connectWebSocket, listenWebSocket, WebSocketClosedError, WebSocketCloseCode } from '../src/node.js';
import { closeOf, listen } from './helpers.js';

/** A raw `ws` client, to act as a misbehaving peer. */
async function rawClient(url: string, options: WebSocket.ClientOptions = {}): Promise<WebSocket> {
  const socket = new WebSocket(url, options);
  await once(socket, 'open');
  return socket;
}

describe('listenWebSocket', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('closes an over-size message with 1009 and leaves other connections working', async () => {
    await using listener = await listen({ maxMessageBytes: 1024 });
    const big = await connectWebSocket(listener.url);
    const bigServer = await listener.nextConnection();
    const other = await connectWebSocket(listener.url);
    const otherServer = await listener.nextConnection();
    const serverClosed = closeOf(bigServer);
    const clientClosed = closeOf(big);
    big.send(JSON.stringify({ filler: 'x'.repeat(2000) }));
    const info = await serverClosed;
    expect(info).toMatchObject({ code: 1009, reason: 'message exceeds maxMessageBytes (1024 bytes)' });
    expect(info.error).toBeInstanceOf(WebSocketClosedError);
    expect(await clientClosed).toMatchObject({ code: 1009, reason: 'message too big' });

    const received: string[] = [];
    const otherServerClosed = closeOf(otherServer, received);
    const echoed: string[] = [];
    const otherClosed = closeOf(other, echoed);
    other.send('{"still":"fine"}');
    await vi.waitUntil(() => received.length === 1);
    expect(received).toEqual(['{"still":"fine"}']);
    other.close();
    expect((await otherClosed).error).toBeUndefined();
    await otherServerClosed;
  });

  it('closes a connection whose peer stops answering pings with 4000', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    await using listener = await listen({ keepAlive: { intervalMs: 1000, timeoutMs: 500 } });
    const silent = await rawClient(listener.url, { autoPong: false });
    const server = await listener.nextConnection();
    const closed = closeOf(server);
    const pinged = once(silent, 'ping');
    await vi.advanceTimersByTimeAsync(1000);
    await pinged;
    await vi.advanceTimersByTimeAsync(500);
    const info = await closed;
    expect(info).toMatchObject({ code: 4000, reason: 'keepalive timeout: no pong within 500 ms' });
    expect(info.error).toBeInstanceOf(WebSocketClosedError);
    await once(silent, 'close');
  });

  it('keeps a connection whose peer answers pings', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    await using listener = await listen({ keepAlive: { intervalMs: 1000, timeoutMs: 500 } });
    const client = await rawClient(listener.url);
    const server = await listener.nextConnection();
    let received = (): void => {};
    server.start({ message: () => received(), close: () => {} });
    for (let i = 0; i < 3; i++) {
      const pinged = once(client, 'ping');
      await vi.advanceTimersByTimeAsync(1000);
      await pinged;
      // A message sent after the automatic pong arrives after it, so once it is in, so is the pong.
      const arrived = new Promise<void>((resolve) => (received = resolve));
      client.send(`{"i":${i}}`);
      await arrived;
    }
    await vi.advanceTimersByTimeAsync(400);
    expect(server.closed).toBe(false);
    client.close();
    await once(client, 'close');
  });

  it('counts pongs alone as life', async () => {
    // Real timers, since the pongs must travel: without them the connection would be closed long
    // before the 25th ping, while 150 ms is far above loopback latency.
    await using listener = await listen({ keepAlive: { intervalMs: 20, timeoutMs: 150 } });
    const client = await rawClient(listener.url);
    const server = await listener.nextConnection();
    server.start({ message: () => {}, close: () => {} });
    let pings = 0;
    await new Promise<void>((resolve) => client.on('ping', () => ++pings === 25 && resolve()));
    expect(server.closed).toBe(false);
    client.close();
    await once(client, 'close');
  });

  it('closes a connection whose peer does not read with 4002 instead of buffering', async () => {
    await using listener = await listen({ maxBufferedBytes: 1024 * 1024 });
    const client = await rawClient(listener.url);
    const server = await listener.nextConnection();
    const closed = closeOf(server);
    client.pause();
    const chunk = JSON.stringify({ filler: 'y'.repeat(256 * 1024) });
    let sent = 0;
    while (!server.closed && sent < 1000) {
      server.send(chunk);
      sent++;
    }
    const info = await closed;
    expect(info).toMatchObject({ code: 4002 });
    expect(info.reason).toMatch(/maxBufferedBytes \(1048576 bytes\): the peer is not reading/);
    expect(() => server.send('{}')).toThrow(/closed/);
    client.terminate();
  });

  it('closes on a binary frame with 1003', async () => {
    await using listener = await listen();
    const client = await rawClient(listener.url);
    const closed = closeOf(await listener.nextConnection());
    client.send(Buffer.from([1, 2, 3]));
    expect(await closed).toMatchObject({ code: 1003 });
    const [code] = (await once(client, 'close')) as [number];
    expect(code).toBe(1003);
  });

  it('closes every connection with 1001 when the listener closes', async () => {
    const listener = await listen();
    const client = await connectWebSocket(listener.url);
    const serverClosed = closeOf(await listener.nextConnection());
    const clientClosed = closeOf(client);
    await listener.close();
    expect(await clientClosed).toEqual({ code: 1001, reason: 'server shutting down' });
    expect(await serverClosed).toMatchObject({ code: 1001 });
    await expect(connectWebSocket(listener.url)).rejects.toThrow(/could not connect/);
  });

  it('refuses upgrades that verifyUpgrade rejects, with the given status', async () => {
    await using listener = await listen({
      verifyUpgrade: async (request) => {
        const auth = request.headers.authorization;
        if (auth === 'Bearer good') return true;
        if (auth === 'Bearer banned') return { code: 403, reason: 'banned' };
        if (auth === 'Bearer busy') return { code: 503, reason: 'try later' };
        return false;
      },
    });
    await expect(connectWebSocket(listener.url)).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(connectWebSocket(listener.url)).rejects.toMatchObject({ data: { status: 401 } });
    await expect(connectWebSocket(listener.url, { headers: { authorization: 'Bearer banned' } })).rejects.toMatchObject({
      data: { status: 403 },
      message: 'server refused the upgrade: 403 Forbidden',
    });
    await expect(connectWebSocket(listener.url, { headers: { authorization: 'Bearer busy' } })).rejects.toMatchObject({
      name: 'WebSocketConnectError',
      status: 503,
    });
    const client = await connectWebSocket(listener.url, { headers: { authorization: 'Bearer good' } });
    client.close();
  });

  it('answers plain HTTP requests with 426 and other paths with 404', async () => {
    await using listener = await listen({ path: '/scomp' });
    expect(listener.url).toBe(`ws://127.0.0.1:${listener.port}/scomp`);
    const response = await new Promise<{ statusCode?: number }>((resolve, reject) =>
      httpRequest(`http://127.0.0.1:${listener.port}/scomp`, resolve).on('error', reject).end(),
    );
    expect(response.statusCode).toBe(426);
    await expect(connectWebSocket(`ws://127.0.0.1:${listener.port}/other`)).rejects.toMatchObject({ status: 404 });
    const odd = await new Promise<{ statusCode?: number }>((resolve, reject) =>
      httpRequest({
        host: '127.0.0.1',
        port: listener.port,
        path: '//scomp',
        headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' },
      })
        .on('response', resolve)
        .on('error', reject)
        .end(),
    );
    expect(odd.statusCode).toBe(404);
  });

  it('answers plain HTTP requests with onRequest and still upgrades on the same port', async () => {
    await using listener = await listen({
      onRequest: (request, response) => response.writeHead(200, { 'content-type': 'text/plain' }).end(`page at ${request.url}`),
    });
    const response = await new Promise<{ statusCode?: number; body: string }>((resolve, reject) =>
      httpRequest(`http://127.0.0.1:${listener.port}/index.html`, (incoming) => {
        let body = '';
        incoming.on('data', (chunk: Buffer) => (body += chunk.toString())).on('end', () => resolve({ statusCode: incoming.statusCode, body }));
      })
        .on('error', reject)
        .end(),
    );
    expect(response).toEqual({ statusCode: 200, body: 'page at /index.html' });
    const client = await connectWebSocket(listener.url);
    await listener.nextConnection();
    client.close();
  });

  it('attaches to an existing HTTP server on a path and leaves it running on close', async () => {
    const http = createServer((_request, response) => response.end('hello'));
    http.listen(0, '127.0.0.1');
    await once(http, 'listening');
    try {
      const listener = await listenWebSocket({ server: http, path: '/ws', onConnection: (t) => t.start({ message: (m) => t.send(m), close: () => {} }) });
      const client = await connectWebSocket(listener.url);
      const messages: string[] = [];
      const closed = closeOf(client, messages);
      client.send('{"echo":true}');
      await vi.waitUntil(() => messages.length === 1);
      expect(messages).toEqual(['{"echo":true}']);
      await listener.close();
      expect((await closed).code).toBe(WebSocketCloseCode.GoingAway);
      expect(http.listening).toBe(true);
    } finally {
      await new Promise((resolve) => http.close(resolve));
    }
  });
});
