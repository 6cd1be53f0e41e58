import { Client as McpClient } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { spawnProcess } from '@scomp/transport-stdio/process';
import { describe, expect, it } from 'vitest';
import { inProcessBackend, serveCodeModeHttp, type CodeModeHttpOptions } from '../src/index.js';
import { demoBindings } from '../src/demo.js';
import { scompMcp } from './support/mcpFixtures.js';

async function httpFixture(options: Partial<CodeModeHttpOptions> = {}) {
  const backend = inProcessBackend({ bindings: demoBindings() });
  const server = await serveCodeModeHttp({ backend, port: 0, ...options });
  const clients: McpClient[] = [];
  return {
    backend,
    server,
    async connect() {
      const client = new McpClient({ name: 'test-client', version: '1.0.0' });
      await client.connect(new StreamableHTTPClientTransport(new URL(server.url)));
      clients.push(client);
      return client;
    },
    async [Symbol.asyncDispose]() {
      await Promise.all(clients.map((client) => client.close()));
      await server.close();
      await backend.close();
    },
  };
}

const evalCode = (code: string) => ({ name: 'eval', arguments: { code } });

function post(url: string, message: unknown, sessionId?: string): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...(sessionId !== undefined ? { 'mcp-session-id': sessionId } : {}),
    },
    body: JSON.stringify(message),
  });
}

describe('scomp-mcp over Streamable HTTP', () => {
  it('gives each MCP session its own scomp session', async () => {
    await using http = await httpFixture();
    expect(http.server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    const alice = await http.connect();
    const bob = await http.connect();
    await alice.callTool(evalCode('var who = "alice"'));
    await bob.callTool(evalCode('var who = "bob"'));
    expect((await alice.callTool(evalCode('who'))).structuredContent).toEqual({ value: 'alice', logs: [] });
    expect((await bob.callTool(evalCode('who'))).structuredContent).toEqual({ value: 'bob', logs: [] });
    expect(http.server.sessionCount()).toBe(2);
    expect(http.backend.server.stats().sessions).toBe(2);
  });

  it('disposes the scomp session when the client ends its MCP session', async () => {
    const closed: string[] = [];
    await using http = await httpFixture({ onSessionClosed: (id, reason) => closed.push(`${reason} ${id}`) });
    const client = await http.connect();
    await client.callTool(evalCode('1'));
    const transport = client.transport as StreamableHTTPClientTransport;
    const id = transport.sessionId!;
    await transport.terminateSession();
    expect(closed).toEqual([`deleted ${id}`]);
    expect(http.server.sessionCount()).toBe(0);
    await expect.poll(() => http.backend.server.stats().sessions).toBe(0);
  });

  it('expires an idle session and refuses its id afterwards', async () => {
    let expired!: (id: string) => void;
    const expiry = new Promise<string>((resolve) => (expired = resolve));
    await using http = await httpFixture({ sessionIdleMs: 20, onSessionClosed: (id, reason) => reason === 'expired' && expired(id) });
    // A bare initialize and nothing after it, so the session expires whatever the machine's speed.
    const initialize = await post(http.server.url, {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    });
    await initialize.text();
    const id = initialize.headers.get('mcp-session-id')!;
    expect(await expiry).toBe(id);
    expect(http.server.sessionCount()).toBe(0);
    const late = await post(http.server.url, { jsonrpc: '2.0', id: 2, method: 'tools/list' }, id);
    expect(late.status).toBe(404);
  });

  it('refuses a request with an unknown session id', async () => {
    await using http = await httpFixture();
    const response = await post(http.server.url, { jsonrpc: '2.0', id: 1, method: 'tools/list' }, 'nope');
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { message: expect.stringMatching(/session not found/) } });
  });

  it('is what scomp-mcp --http --port 0 serves', async () => {
    const { command, args } = scompMcp('--http', '--port', '0');
    const child = spawnProcess(command, args, { stdin: 'ignore' });
    try {
      const line = await child.nextLine('stdout', () => true);
      const url = /^scomp-mcp listening on (http:\/\/127\.0\.0\.1:\d+\/mcp)$/.exec(line)?.[1];
      expect(url).toBeDefined();
      const client = new McpClient({ name: 'test-client', version: '1.0.0' });
      await client.connect(new StreamableHTTPClientTransport(new URL(url!)));
      const result = await client.callTool(evalCode('(await getOrder({ id: "o_002" })).customer'));
      expect(result.structuredContent).toEqual({ value: 'Alan Turing', logs: [] });
      await client.close();
    } finally {
      child.kill('SIGTERM');
      expect((await child.exited).code).toBe(0);
    }
  });
});
