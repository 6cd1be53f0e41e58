import type { Client as McpClient } from '@modelcontextprotocol/sdk/client/index.js';
import { McpError, ToolListChangedNotificationSchema, type Tool } from '@modelcontextprotocol/sdk/types.js';
import { BindingNotFoundError, ScompError, defineBinding, type Binding } from '@scomp/peer';
import Type from 'typebox';
import { McpCallFailedError } from './errors.js';
import { CONTENT_OUTPUT, toolResultValue } from './toolResult.js';
import { checkNamespace, toolSegment } from './toolNames.js';

export interface McpBindingsOptions {
  /** Prefix of every binding name: tool `read_graph` of namespace `memory` is `memory.read_graph`. */
  namespace: string;
  /** Shown in errors, so a failed call names its server. @default the namespace */
  serverName?: string;
  /** How long one tool call may take before it fails with McpCallFailed. @default 60000 */
  callTimeoutMs?: number;
  /** Tools left out (unusable schema, name clash) and tool list changes. @default ignored */
  onWarning?(message: string): void;
}

/** The bindings mounted from one MCP server, following its tool list. */
export interface McpBindingSet {
  /** The bindings as of the server's latest tool list. */
  readonly bindings: readonly Binding[];
  /** Why tools were left out, one line each. */
  readonly warnings: readonly string[];
  /** Calls `listener` with the new set after each `tools/list_changed`; returns a function that stops it. */
  onChange(listener: (bindings: readonly Binding[]) => void): () => void;
}

/**
 * Turns the tools of a connected MCP client into server bindings named `<namespace>.<tool>`.
 *
 * On `notifications/tools/list_changed` the tool list is read again and `bindings` becomes the new
 * set (give it to `server.setBindings` so that sessions opened from then on have the new tools).
 * A scomp session keeps the bindings it was created with: a removed tool's binding then fails with
 * BindingNotFound, and a changed tool is called as the server now describes it.
 */
export async function mcpBindings(client: McpClient, options: McpBindingsOptions): Promise<McpBindingSet> {
  checkNamespace(options.namespace);
  const server = options.serverName ?? options.namespace;
  const warnings: string[] = [];
  // A tool left out is reported once, not again at every list change.
  const warn = (message: string) => {
    if (warnings.includes(message)) return;
    warnings.push(message);
    options.onWarning?.(message);
  };
  const listeners = new Set<(bindings: readonly Binding[]) => void>();
  const callOptions = {
    server,
    callTimeoutMs: options.callTimeoutMs ?? 60_000,
    exists: (tool: string) => current.has(tool),
  };
  const tools = await listAllTools(client);
  let current = new Set(tools.map((tool) => tool.name));
  let bindings = mountTools(client, tools, options.namespace, callOptions, warn);

  client.setNotificationHandler(ToolListChangedNotificationSchema, async () => {
    const next = await listAllTools(client).catch(() => undefined);
    if (next === undefined) return;
    const added = next.filter((tool) => !current.has(tool.name));
    current = new Set(next.map((tool) => tool.name));
    bindings = mountTools(client, next, options.namespace, callOptions, warn);
    for (const tool of added) warn(`${server}: new tool ${tool.name} is mounted for the sessions opened from now on`);
    for (const listener of listeners) listener(bindings);
  });

  return {
    get bindings() {
      return bindings;
    },
    warnings,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** One binding per tool; a tool whose name clashes or whose schema cannot be used is left out with a warning. */
function mountTools(client: McpClient, tools: readonly Tool[], namespace: string, options: ToolCallOptions, warn: (message: string) => void): Binding[] {
  const bindings: Binding[] = [];
  const claimed = new Map<string, string>();
  for (const tool of tools) {
    const name = `${namespace}.${toolSegment(tool.name)}`;
    const earlier = claimed.get(name);
    if (earlier !== undefined) {
      warn(`${options.server}: tool ${tool.name} left out: tools "${earlier}" and "${tool.name}" both become binding ${name}`);
      continue;
    }
    try {
      bindings.push(toolBinding(client, tool, name, options));
    } catch (error) {
      warn(`${options.server}: tool ${tool.name} left out: its schema cannot be used (${error instanceof Error ? error.message : String(error)})`);
      continue;
    }
    claimed.set(name, tool.name);
  }
  return bindings;
}

async function listAllTools(client: McpClient): Promise<Tool[]> {
  const tools: Tool[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.listTools(cursor === undefined ? {} : { cursor });
    tools.push(...page.tools);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return tools;
}

interface ToolCallOptions {
  server: string;
  callTimeoutMs: number;
  /** Whether the server's latest tool list still has the tool. */
  exists(tool: string): boolean;
}

function toolBinding(client: McpClient, tool: Tool, name: string, options: ToolCallOptions): Binding {
  const description = tool.description ?? tool.annotations?.title ?? tool.title;
  return defineBinding({
    name,
    ...(description !== undefined ? { description } : {}),
    input: Type.Unsafe<Record<string, unknown>>(withoutDialect(tool.inputSchema)),
    output: Type.Unsafe<unknown>(tool.outputSchema ? withoutDialect(tool.outputSchema) : CONTENT_OUTPUT),
    ...(tool.annotations?.readOnlyHint === true ? { effects: [] } : {}),
    handler: async (args, context) => {
      if (!options.exists(tool.name)) {
        throw new BindingNotFoundError(`${options.server} no longer has the tool ${tool.name}`, { name });
      }
      // The SDK never removes the abort listener it adds, and one eval's calls share its signal:
      // each call gets a signal of its own, unlinked when the call ends.
      const call = new AbortController();
      const abort = () => call.abort(context.signal.reason);
      if (context.signal.aborted) abort();
      else context.signal.addEventListener('abort', abort, { once: true });
      let result;
      try {
        result = await client.callTool({ name: tool.name, arguments: args }, undefined, {
          signal: call.signal,
          timeout: options.callTimeoutMs,
        });
      } catch (error) {
        if (error instanceof ScompError) throw error;
        const mcpCode = error instanceof McpError ? error.code : undefined;
        const reason = error instanceof Error ? error.message : String(error);
        throw new McpCallFailedError(`${options.server}: ${tool.name} failed: ${reason}`, {
          tool: tool.name,
          server: options.server,
          ...(mcpCode !== undefined ? { mcpCode } : {}),
        });
      } finally {
        context.signal.removeEventListener('abort', abort);
      }
      return toolResultValue(tool.name, result as Parameters<typeof toolResultValue>[1]);
    },
  });
}

/** `$schema` names the dialect, which the validator picks itself; keeping it can only fail. */
function withoutDialect(schema: Record<string, unknown>): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = schema;
  return rest;
}
