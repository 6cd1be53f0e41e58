import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { transportConformance } from '@scomp/peer/testing';
import { describe, it } from 'vitest';
import { serveStdio, spawnStdioTransport } from '../src/index.js';

const relay = fileURLToPath(new URL('./fixtures/relay.mjs', import.meta.url));

describe('stdio transport over in-process streams', () => {
  transportConformance({
    describe,
    it,
    createPair: async () => {
      const toServer = new PassThrough();
      const toClient = new PassThrough();
      const client = serveStdio({ stdin: toClient, stdout: toServer });
      const server = serveStdio({ stdin: toServer, stdout: toClient });
      return { client, server, dispose: async () => {} };
    },
  });
});

describe('stdio transport to a child process', () => {
  transportConformance({
    describe,
    it,
    createPair: async () => {
      // The child relays its stdin/stdout to this socket, so the test holds the server end.
      const listener = createServer();
      listener.listen(0, '127.0.0.1');
      await once(listener, 'listening');
      const port = (listener.address() as { port: number }).port;
      const accepted = once(listener, 'connection') as Promise<[Socket]>;
      const client = await spawnStdioTransport({ command: process.execPath, args: [relay, String(port)] });
      const [socket] = await accepted;
      const server = serveStdio({ stdin: socket, stdout: socket });
      return {
        client,
        server,
        dispose: async () => {
          server.close();
          await client[Symbol.asyncDispose]();
          socket.destroy();
          await new Promise((resolve) => listener.close(resolve));
        },
      };
    },
  });
});
