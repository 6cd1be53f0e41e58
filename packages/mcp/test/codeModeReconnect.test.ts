import { Client as McpClient } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { Server, type Transport } from '@scomp/peer';
import { createQuickJsRuntimeFactory } from '@scomp/runtime-quickjs';
import { listenWebSocket } from '@scomp/transport-ws/node';
import { describe, expect, it } from 'vitest';
import { CodeModeSession, remoteBackend } from '../src/index.js';
import { demoBindings } from '../src/demo.js';

/**
 * A scomp server behind a WebSocket listener whose connections the test can drop, and whose server
 * it can swap for a new one (a restart: the sessions are gone), with code mode connected to it the
 * way `scomp-mcp --connect` connects.
 */
async function remoteFixture() {
  const runtime = createQuickJsRuntimeFactory();
  const servers = [new Server({ runtime, bindings: demoBindings() })];
  const connections: Transport[] = [];
  const listener = await listenWebSocket({
    host: '127.0.0.1',
    port: 0,
    onConnection: (transport) => {
      connections.push(transport);
      servers[servers.length - 1]!.accept(transport);
    },
  });
  const backend = remoteBackend({ url: listener.url, reconnect: { retryDelayMs: (attempt) => Math.min(50, 10 * 2 ** (attempt - 1)), retry: (attempt) => attempt < 3 } });
  const session = new CodeModeSession({ backend });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await session.mcp.connect(serverSide);
  const client = new McpClient({ name: 'test-client', version: '1.0.0' });
  await client.connect(clientSide);
  return {
    client,
    servers,
    connections,
    /** Closes every WebSocket connection from the server's side, as a proxy or a network fault would. */
    drop() {
      for (const transport of connections.splice(0)) transport.close({ reason: 'dropped by the test' });
    },
    restart() {
      servers.push(new Server({ runtime, bindings: demoBindings() }));
    },
    async eval(code: string) {
      return (await client.callTool({ name: 'eval', arguments: { code } })) as {
        isError?: boolean;
        content: { text: string }[];
        structuredContent: { value?: unknown; error?: { name: string; message: string } };
      };
    },
    async [Symbol.asyncDispose]() {
      await client.close();
      await session.close();
      await listener.close();
      await Promise.all(servers.map((server) => server.close()));
      await runtime.close();
    },
  };
}

describe('scomp-mcp --connect when the WebSocket drops', () => {
  it('resumes the same scomp session: a const declared before the drop is visible after it', async () => {
    await using remote = await remoteFixture();
    expect((await remote.eval('const kept = 41; kept')).structuredContent.value).toBe(41);
    remote.drop();
    expect((await remote.eval('kept + 1')).structuredContent).toEqual({ value: 42, logs: [] });
    expect(remote.servers[0]!.stats().sessions).toBe(1);
    remote.drop();
    expect((await remote.eval('kept + 2')).structuredContent.value).toBe(43);
  });

  it('answers an eval cut off by the drop with the outcome of its one run', async () => {
    await using remote = await remoteFixture();
    await remote.client.setLoggingLevel('info');
    // The drop comes once the eval has started on the server: its first console line says so.
    remote.client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => {
      if (notification.params.data === 'started') remote.drop();
    });
    const result = await remote.eval(
      "globalThis.runs = (globalThis.runs ?? 0) + 1; console.log('started'); await new Promise((r) => setTimeout(r, 500)); 'done'",
    );
    expect(result.structuredContent.value).toBe('done');
    expect((await remote.eval('runs')).structuredContent.value).toBe(1);
    expect(remote.servers[0]!.stats().sessions).toBe(1);
  });

  it('reports a session that cannot be resumed as a tool error once, then starts a fresh one', async () => {
    await using remote = await remoteFixture();
    await remote.eval('const kept = 41');
    remote.restart();
    remote.drop();
    const lost = await remote.eval('kept + 1');
    expect(lost.isError).toBe(true);
    expect(lost.structuredContent.error).toEqual({
      name: 'SessionLostError',
      message: expect.stringMatching(
        /^the connection to the scomp server dropped and its session could not be resumed: .*; the state of earlier evals is gone, and the next eval starts a fresh session$/,
      ),
    });
    expect(lost.content[0]!.text).toMatch(/^SessionLostError: the connection to the scomp server dropped/);
    expect((await remote.eval('typeof kept')).structuredContent).toEqual({ value: 'undefined', logs: [] });
    expect(remote.servers[1]!.stats().sessions).toBe(1);
  });
});
