import type { Binding } from '@scomp/peer';
import { demoBindings } from './demoShop.js';
import { loadBindings } from './loadBindings.js';
import { connectMcpServers, readMcpConfig, type McpServers } from './mcpConfig.js';

export interface ServerBindingsOptions {
  /** Module with the user's own bindings (`--bindings`). */
  bindingsModule?: string;
  /** `{ "mcpServers": ... }` file whose servers' tools are mounted (`--mcp-config`). */
  mcpConfig?: string;
  /** What was loaded and mounted, servers left out, servers that exited later. */
  log(line: string): void;
}

/** The bindings a command serves, and the MCP servers behind some of them. */
export interface ServerBindings {
  readonly bindings: readonly Binding[];
  /** Ends the MCP servers' connections and processes. */
  close(): Promise<void>;
}

/**
 * What `scomp-server` and `scomp-mcp` serve: the module's bindings plus the configured MCP servers'
 * tools, or the demo order shop when neither is given.
 */
export async function loadServerBindings(options: ServerBindingsOptions): Promise<ServerBindings> {
  const bindings: Binding[] = [];
  if (options.bindingsModule !== undefined) {
    const loaded = await loadBindings(options.bindingsModule);
    options.log(`loaded ${loaded.length} binding(s) from ${options.bindingsModule}: ${loaded.map((b) => b.meta.name).join(', ')}`);
    bindings.push(...loaded);
  }
  let servers: McpServers | undefined;
  if (options.mcpConfig !== undefined) {
    servers = await connectMcpServers(await readMcpConfig(options.mcpConfig), { onWarning: options.log });
    options.log(`mounted ${servers.bindings.length} MCP tool(s) from ${servers.connected.join(', ') || 'no server'}`);
    bindings.push(...servers.bindings);
  }
  if (options.bindingsModule === undefined && options.mcpConfig === undefined) bindings.push(...demoBindings());
  return { bindings, close: async () => servers?.close() };
}
