import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { defineBinding, Server, type Binding } from '@scomp/peer';
import { createQuickJsRuntimeFactory } from '@scomp/runtime-quickjs';
import { RpcTarget } from 'capnweb';
import Type from 'typebox';
import { z } from 'zod';

/** The same three tools for every system under test: echo a number, measure a string, take one step. */

export const MAX_MESSAGE_BYTES = 40 * 1024 * 1024;

export const bindings: Binding[] = [
  defineBinding({
    name: 'echo',
    input: Type.Object({ n: Type.Number() }),
    output: Type.Object({ n: Type.Number() }),
    handler: (args) => args,
  }),
  defineBinding({
    name: 'size',
    input: Type.Object({ s: Type.String() }),
    output: Type.Number(),
    handler: ({ s }) => s.length,
  }),
  defineBinding({
    name: 'step',
    input: Type.Object({ x: Type.Number() }),
    output: Type.Object({ x: Type.Number() }),
    handler: ({ x }) => ({ x: x + 1 }),
  }),
];

/** The scomp server under test; guest code runs where the runtime's default puts it unless `runIn` says. */
export function scompServer(runIn?: 'worker' | 'main'): Server {
  return new Server({
    runtime: () =>
      createQuickJsRuntimeFactory({
        limits: { memoryBytes: 256 * 1024 * 1024, resultBytes: MAX_MESSAGE_BYTES },
        ...(runIn ? { runIn } : {}),
      }),
    bindings,
  });
}

export class CapnwebApi extends RpcTarget {
  echo(args: { n: number }): { n: number } {
    return args;
  }
  size(args: { s: string }): number {
    return args.s.length;
  }
  step(args: { x: number }): { x: number } {
    return { x: args.x + 1 };
  }
}

export function mcpServer(): McpServer {
  const server = new McpServer({ name: 'bench', version: '1.0.0' });
  const text = (value: unknown) => ({ content: [{ type: 'text' as const, text: JSON.stringify(value) }] });
  server.registerTool('echo', { inputSchema: { n: z.number() } }, (args) => text(args));
  server.registerTool('size', { inputSchema: { s: z.string() } }, ({ s }) => text(s.length));
  server.registerTool('step', { inputSchema: { x: z.number() } }, ({ x }) => text({ x: x + 1 }));
  return server;
}
