/** Each system under test behind one shape: call a tool by name, then close everything it started. */
import { MessageChannel } from 'node:worker_threads';
import { Client as McpClient } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { Client } from '@scomp/peer';
import { createMemoryTransportPair } from '@scomp/peer/testing';
import { spawnStdioTransport } from '@scomp/transport-stdio';
import { connectWebSocket } from '@scomp/transport-ws/node';
import { newMessagePortRpcSession, newWebSocketRpcSession, type RpcStub } from 'capnweb';
import { WebSocket } from 'ws';
import { nodeArgs } from './child.js';
import './wsGlobal.js';
import { CapnwebApi, MAX_MESSAGE_BYTES, mcpServer, moduleBindings, scompServer } from './services.js';

export interface System {
  call(tool: 'echo' | 'size' | 'step', args: Record<string, unknown>): Promise<unknown>;
  close(): Promise<void>;
}

export interface ScompSystem extends System {
  client: Client;
}

/**
 * A scomp server and a client over the in-memory pair. `runIn` as the runtime takes it; `modules`
 * serves the tools as module bindings, so guest calls of them run on the guest's thread.
 */
export async function scompMemory(runIn?: 'worker' | 'main', modules = false): Promise<ScompSystem> {
  const server = scompServer({ ...(runIn ? { runIn } : {}), ...(modules ? { bindings: await moduleBindings() } : {}) });
  const [clientEnd, serverEnd] = createMemoryTransportPair();
  server.accept(serverEnd);
  const client = await Client.connect(clientEnd);
  return {
    client,
    call: (tool, args) => client.invoke(tool, args),
    close: async () => {
      client.close();
      await server.close();
    },
  };
}

/** A scomp server process over stdio; `modules` as for scompMemory. */
export async function scompStdio(modules = false): Promise<ScompSystem> {
  const transport = await spawnStdioTransport({
    command: process.execPath,
    args: nodeArgs('./server.ts', modules ? 'scomp-stdio-modules' : 'scomp-stdio'),
    maxMessageBytes: MAX_MESSAGE_BYTES,
  });
  const client = await Client.connect(transport);
  return {
    client,
    call: (tool, args) => client.invoke(tool, args),
    close: async () => {
      client.close();
      await transport[Symbol.asyncDispose]();
    },
  };
}

export async function scompWs(url: string): Promise<ScompSystem> {
  const client = await Client.connect(await connectWebSocket(url, { keepAlive: false, maxMessageBytes: MAX_MESSAGE_BYTES }));
  return { client, call: (tool, args) => client.invoke(tool, args), close: async () => client.close() };
}

function mcpSystem(client: McpClient, close: () => Promise<void>): System {
  return {
    // Parsing the text content gives the caller the value, as scomp's invoke does.
    call: async (tool, args) => {
      const result = await client.callTool({ name: tool, arguments: args });
      return JSON.parse((result.content as { text: string }[])[0]!.text) as unknown;
    },
    close,
  };
}

export async function mcpMemory(): Promise<System> {
  const [clientEnd, serverEnd] = InMemoryTransport.createLinkedPair();
  const server = mcpServer();
  await server.connect(serverEnd);
  const client = new McpClient({ name: 'bench', version: '1.0.0' });
  await client.connect(clientEnd);
  return mcpSystem(client, async () => {
    await client.close();
    await server.close();
  });
}

export async function mcpStdio(): Promise<System> {
  const client = new McpClient({ name: 'bench', version: '1.0.0' });
  await client.connect(
    new StdioClientTransport({ command: process.execPath, args: nodeArgs('./server.ts', 'mcp-stdio'), stderr: 'inherit' }),
  );
  return mcpSystem(client, () => client.close());
}

function capnwebSystem(stub: RpcStub<CapnwebApi>, close: () => void): System {
  return {
    call: (tool, args) => (stub[tool] as (a: unknown) => Promise<unknown>)(args),
    close: async () => {
      stub[Symbol.dispose]();
      close();
    },
  };
}

export async function capnwebMessagePort(): Promise<System> {
  const channel = new MessageChannel();
  newMessagePortRpcSession(channel.port1 as unknown as globalThis.MessagePort, new CapnwebApi());
  const stub = newMessagePortRpcSession<CapnwebApi>(channel.port2 as unknown as globalThis.MessagePort);
  return capnwebSystem(stub, () => {
    channel.port1.close();
    channel.port2.close();
  });
}

export async function capnwebWs(url: string): Promise<System> {
  const ws = new WebSocket(url, { maxPayload: MAX_MESSAGE_BYTES });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const stub = newWebSocketRpcSession<CapnwebApi>(ws as unknown as globalThis.WebSocket);
  return capnwebSystem(stub, () => ws.close());
}
