import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Client as McpClient } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { ClientCapabilities } from '@modelcontextprotocol/sdk/types.js';

const packageDir = fileURLToPath(new URL('../..', import.meta.url));
const require = createRequire(import.meta.url);

/** How a test starts scomp-mcp: the built command (`pnpm build` first), as the bin launcher runs it. */
export function scompMcp(...args: string[]): { command: string; args: string[] } {
  return { command: process.execPath, args: [join(packageDir, 'dist/bin.js'), ...args] };
}

/** `node <bin>` of a registry MCP server, resolved from node_modules as a user's config would name it. */
export function registryServer(name: 'server-everything' | 'server-memory'): { command: string; args: string[] } {
  const manifestPath = require.resolve(`@modelcontextprotocol/${name}/package.json`);
  const manifest = require(manifestPath) as { bin: string | Record<string, string> };
  const bin = typeof manifest.bin === 'string' ? manifest.bin : Object.values(manifest.bin)[0]!;
  return { command: process.execPath, args: [join(dirname(manifestPath), bin)] };
}

export interface ConnectedMcpClient extends AsyncDisposable {
  readonly client: McpClient;
  readonly stderr: () => string;
}

/** An MCP client (the real SDK) connected over stdio to a command; disposing closes it and ends the process. */
export async function connectStdio(
  entry: { command: string; args: string[]; env?: Record<string, string> },
  capabilities: ClientCapabilities = {},
): Promise<ConnectedMcpClient> {
  const transport = new StdioClientTransport({
    command: entry.command,
    args: entry.args,
    env: { ...(process.env as Record<string, string>), ...entry.env },
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const client = new McpClient({ name: 'test-client', version: '1.0.0' }, { capabilities });
  await client.connect(transport);
  return {
    client,
    stderr: () => stderr,
    [Symbol.asyncDispose]: () => client.close(),
  };
}
