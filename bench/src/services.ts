import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { moduleBinding, Server, type Binding } from '@scomp/peer';
import { createQuickJsRuntimeFactory } from '@scomp/runtime-quickjs';
import { RpcTarget } from 'capnweb';
import { z } from 'zod';

/** The same three tools for every system under test (tools.js): echo a number, measure a string, take one step. */

export const MAX_MESSAGE_BYTES = 40 * 1024 * 1024;

const TOOLS = new URL('./tools.js', import.meta.url);
const TOOL_NAMES = ['echo', 'size', 'step'];
const tools = (await import(TOOLS.href)) as Record<string, Binding>;

/** The tools as bindings of the server's thread: guest calls on a worker thread cross to it. */
export const bindings: Binding[] = TOOL_NAMES.map((name) => tools[name]!);

/** The same tools named by their module: a worker thread imports it and runs guest calls there. */
export function moduleBindings(): Promise<Binding[]> {
  return Promise.all(TOOL_NAMES.map((name) => moduleBinding(TOOLS, name)));
}

export interface ScompServerOptions {
  /** Where guest code runs. @default the runtime's default */
  runIn?: 'worker' | 'main';
  /** The server's bindings. @default bindings */
  bindings?: Binding[];
}

/** The scomp server under test; guest code runs where the runtime's default puts it unless `runIn` says. */
export function scompServer(options: ScompServerOptions = {}): Server {
  const { runIn } = options;
  return new Server({
    runtime: () =>
      createQuickJsRuntimeFactory({
        limits: { memoryBytes: 256 * 1024 * 1024, resultBytes: MAX_MESSAGE_BYTES },
        ...(runIn ? { runIn } : {}),
      }),
    bindings: options.bindings ?? bindings,
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
