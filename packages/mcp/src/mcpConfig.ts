import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Client as McpClient } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport as McpTransport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { Binding } from '@scomp/peer';
import { spawnStdioTransport, type StdioChildTransport } from '@scomp/transport-stdio';
import { mcpBindings, type McpBindingSet } from './mcpBindings.js';
import { toMcpTransport } from './mcpTransport.js';
import { checkNamespace } from './toolNames.js';
import { PACKAGE_VERSION } from './version.js';

/** One entry of an `mcpServers` file, as MCP clients write them. */
export type McpServerEntry =
  | { command: string; args?: string[]; env?: Record<string, string>; cwd?: string }
  | { url: string; headers?: Record<string, string> };

/** A configuration file that cannot be used. */
export class McpConfigError extends Error {
  override name = 'McpConfigError';
}

/** Reads `{ "mcpServers": { "<name>": entry } }`; a relative `cwd` is taken from the file's folder. */
export async function readMcpConfig(file: string): Promise<Map<string, McpServerEntry>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new McpConfigError(`cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return parseMcpConfig(parsed, file, dirname(resolve(file)));
}

/** Checks the `mcpServers` format and returns the entries by name. */
export function parseMcpConfig(value: unknown, source = 'the configuration', baseDir = process.cwd()): Map<string, McpServerEntry> {
  const fail = (message: string): never => {
    throw new McpConfigError(`${source}: ${message}`);
  };
  const servers = isObject(value) ? value.mcpServers : undefined;
  if (!isObject(servers)) return fail('expected { "mcpServers": { "<name>": { "command": ... } | { "url": ... } } }');
  const entries = new Map<string, McpServerEntry>();
  for (const [name, entry] of Object.entries(servers)) {
    const where = `mcpServers.${name}`;
    try {
      checkNamespace(name);
    } catch {
      fail(`${where}: the name becomes the bindings' namespace, so it must be an identifier (letters, digits, _ and $)`);
    }
    if (!isObject(entry)) return fail(`${where} must be an object`);
    if (typeof entry.url === 'string') {
      if (!/^https?:\/\//.test(entry.url)) fail(`${where}.url must be an http(s) URL`);
      entries.set(name, { url: entry.url, ...(isStringRecord(entry.headers) ? { headers: entry.headers } : {}) });
      continue;
    }
    if (typeof entry.command !== 'string' || entry.command === '') fail(`${where} needs "command" (stdio) or "url" (Streamable HTTP)`);
    if (entry.args !== undefined && !(Array.isArray(entry.args) && entry.args.every((arg) => typeof arg === 'string'))) {
      fail(`${where}.args must be an array of strings`);
    }
    if (entry.env !== undefined && !isStringRecord(entry.env)) fail(`${where}.env must map names to strings`);
    if (entry.cwd !== undefined && typeof entry.cwd !== 'string') fail(`${where}.cwd must be a string`);
    entries.set(name, {
      command: entry.command as string,
      ...(entry.args !== undefined ? { args: entry.args as string[] } : {}),
      ...(entry.env !== undefined ? { env: entry.env as Record<string, string> } : {}),
      ...(entry.cwd !== undefined ? { cwd: resolve(baseDir, entry.cwd as string) } : {}),
    });
  }
  return entries;
}

export interface ConnectMcpServersOptions {
  /** How long one tool call may take. @default 60000 */
  callTimeoutMs?: number;
  /** Servers that could not start, tools left out, servers that exited. @default ignored */
  onWarning?(message: string): void;
}

/** The MCP servers of a configuration, connected, with their tools as bindings. */
export interface McpServers {
  /** The tools of every connected server as bindings, as of each server's latest tool list. */
  readonly bindings: readonly Binding[];
  /** Calls `listener` with the new `bindings` whenever a server's tool list changed; returns a function that stops it. */
  onChange(listener: (bindings: readonly Binding[]) => void): () => void;
  /** Names of the servers that are connected. */
  readonly connected: readonly string[];
  /** Closes every connection and ends every server process (and what it started). */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Starts each stdio server as a child process (as MCP clients do: stdin closed, then SIGTERM, then
 * SIGKILL on close; reaped, so no zombies; stderr kept for diagnostics) and connects to each URL, then mounts each
 * server's tools under its name. A server that cannot start is left out with a warning so the
 * others still serve. A server that exits later is reported, and its bindings fail with
 * McpCallFailed from then on; it is not restarted, because a server that crashed once mid-call is
 * likely to crash again with the same input, and silently new server state would surprise code.
 */
export async function connectMcpServers(
  entries: ReadonlyMap<string, McpServerEntry>,
  options: ConnectMcpServersOptions = {},
): Promise<McpServers> {
  const warn = (message: string) => options.onWarning?.(message);
  const started = await Promise.all(
    [...entries].map(async ([name, entry]) => {
      try {
        return await connectOne(name, entry, options, warn);
      } catch (error) {
        warn(`${name}: not started: ${error instanceof Error ? error.message : String(error)}`);
        return undefined;
      }
    }),
  );
  const servers = started.filter((server) => server !== undefined);
  const close = async () => {
    await Promise.all(servers.map((server) => server.close()));
  };
  const current = () => servers.flatMap((server) => server.set.bindings);
  return {
    get bindings() {
      return current();
    },
    onChange(listener) {
      const stops = servers.map((server) => server.set.onChange(() => listener(current())));
      return () => stops.forEach((stop) => stop());
    },
    connected: servers.map((server) => server.name),
    close,
    [Symbol.asyncDispose]: close,
  };
}

interface ConnectedServer {
  name: string;
  set: McpBindingSet;
  close(): Promise<void>;
}

async function connectOne(
  name: string,
  entry: McpServerEntry,
  options: ConnectMcpServersOptions,
  warn: (message: string) => void,
): Promise<ConnectedServer> {
  let child: StdioChildTransport | undefined;
  let transport: McpTransport;
  if ('url' in entry) {
    transport = new StreamableHTTPClientTransport(new URL(entry.url), entry.headers ? { requestInit: { headers: entry.headers } } : {});
  } else {
    child = await spawnStdioTransport({
      command: entry.command,
      args: entry.args ?? [],
      env: entry.env ?? {},
      ...(entry.cwd !== undefined ? { cwd: entry.cwd } : {}),
      stderr: 'pipe',
      // In this process's session, as MCP clients start servers: a session of its own puts every
      // round trip across Linux scheduling groups, measured at 3x the latency on a busy machine.
      processGroup: false,
    });
    transport = toMcpTransport(child);
  }
  const client = new McpClient({ name: 'scomp', version: PACKAGE_VERSION });
  let closing = false;
  let failure: Error | undefined;
  client.onerror = (error) => {
    failure = error;
  };
  client.onclose = () => {
    if (closing) return;
    const stderr = child?.stderrText().trim();
    warn(`${name}: server closed the connection${failure ? `: ${failure.message}` : ''}${stderr ? `\n${stderr}` : ''}`);
  };
  const close = async () => {
    closing = true;
    await client.close();
    if (child) await child.exited;
  };
  try {
    await client.connect(transport);
    const set = await mcpBindings(client, {
      namespace: name,
      serverName: name,
      onWarning: warn,
      ...(options.callTimeoutMs !== undefined ? { callTimeoutMs: options.callTimeoutMs } : {}),
    });
    return { name, set, close };
  } catch (error) {
    await close();
    const stderr = child?.stderrText().trim();
    throw new Error(`${error instanceof Error ? error.message : String(error)}${stderr ? `\n${stderr}` : ''}`, { cause: error });
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return isObject(value) && Object.values(value).every((item) => typeof item === 'string');
}
