import type { Binding, Server } from '@scomp/peer';
import { demoBindings } from './demoShop.js';
import { loadBindings, loadModuleBindings } from './loadBindings.js';
import { connectMcpServers, readMcpConfig, type McpServers } from './mcpConfig.js';

export interface ServerBindingsOptions {
  /** Module with the user's own bindings (`--bindings`). */
  bindingsModule?: string;
  /** JavaScript module whose bindings run on the runtime's threads (`--thread-bindings`; see loadModuleBindings). */
  threadBindingsModule?: string;
  /** `{ "mcpServers": ... }` file whose servers' tools are mounted (`--mcp-config`). */
  mcpConfig?: string;
  /** What was loaded and mounted, servers left out, servers that exited later. */
  log(line: string): void;
}

/** The bindings a command serves, and the MCP servers behind some of them. */
export interface ServerBindings {
  /** The module's bindings and the MCP servers' tools, as of each server's latest tool list. */
  readonly bindings: readonly Binding[];
  /** Calls `listener` with the new `bindings` when an MCP server's tool list changed; returns a function that stops it. */
  onChange(listener: (bindings: readonly Binding[]) => void): () => void;
  /** Ends the MCP servers' connections and processes. */
  close(): Promise<void>;
}

/**
 * What `scomp-server` and `scomp-mcp` serve: the modules' bindings plus the configured MCP servers'
 * tools, or the demo order shop when none is given.
 */
export async function loadServerBindings(options: ServerBindingsOptions): Promise<ServerBindings> {
  const own: Binding[] = [];
  if (options.bindingsModule !== undefined) {
    const loaded = await loadBindings(options.bindingsModule);
    options.log(`loaded ${loaded.length} binding(s) from ${options.bindingsModule}: ${loaded.map((b) => b.meta.name).join(', ')}`);
    own.push(...loaded);
  }
  if (options.threadBindingsModule !== undefined) {
    const loaded = await loadModuleBindings(options.threadBindingsModule);
    options.log(`loaded ${loaded.length} binding(s) run on the runtime's threads from ${options.threadBindingsModule}: ${loaded.map((b) => b.meta.name).join(', ')}`);
    own.push(...loaded);
  }
  let servers: McpServers | undefined;
  if (options.mcpConfig !== undefined) {
    servers = await connectMcpServers(await readMcpConfig(options.mcpConfig), { onWarning: options.log });
    options.log(`mounted ${servers.bindings.length} MCP tool(s) from ${servers.connected.join(', ') || 'no server'}`);
  }
  if (options.bindingsModule === undefined && options.threadBindingsModule === undefined && options.mcpConfig === undefined) own.push(...demoBindings());
  const current = (): Binding[] => [...own, ...(servers?.bindings ?? [])];
  return {
    get bindings() {
      return current();
    },
    onChange: (listener) => servers?.onChange(() => listener(current())) ?? (() => {}),
    close: async () => servers?.close(),
  };
}

/**
 * Keeps `server`'s bindings in step with `served`: the sessions opened after an MCP server's tool
 * list changed get the new tools (open sessions keep theirs). A set the server refuses (a new tool
 * whose name clashes) is logged and the current one kept. Returns a function that stops following.
 */
export function followBindings(served: ServerBindings, server: Pick<Server, 'setBindings'>, log: (line: string) => void): () => void {
  return served.onChange((bindings) => {
    try {
      server.setBindings(bindings);
    } catch (error) {
      log(`tool list change not applied: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
}
