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

/** The bindings mounted from one MCP server. */
export interface McpBindingSet {
  readonly bindings: readonly Binding[];
  /** Why tools were left out, one line each. */
  readonly warnings: readonly string[];
}

/**
 * Turns the tools of a connected MCP client into server bindings named `<namespace>.<tool>`.
 *
 * The binding set is fixed once made (scomp sessions learn their bindings at the handshake). On
 * `notifications/tools/list_changed` the tool list is read again: a removed tool's binding then
 * fails with BindingNotFound, a changed tool is called as the server now describes it, and an added
 * tool is reported through `onWarning` and is mounted the next time the bindings are made.
 */
export async function mcpBindings(client: McpClient, options: McpBindingsOptions): Promise<McpBindingSet> {
  checkNamespace(options.namespace);
  const server = options.serverName ?? options.namespace;
  const warn = (message: string) => {
    warnings.push(message);
    options.onWarning?.(message);
  };
  const warnings: string[] = [];
  const tools = await listAllTools(client);
  let current = new Set(tools.map((tool) => tool.name));

  client.setNotificationHandler(ToolListChangedNotificationSchema, async () => {
    const next = await listAllTools(client).catch(() => undefined);
    if (next === undefined) return;
    const names = new Set(next.map((tool) => tool.name));
    for (const name of names) if (!current.has(name)) warn(`${server}: new tool ${name} is mounted at the next start`);
    current = names;
  });

  const bindings: Binding[] = [];
  const claimed = new Map<string, string>();
  for (const tool of tools) {
    const name = `${options.namespace}.${toolSegment(tool.name)}`;
    const earlier = claimed.get(name);
    if (earlier !== undefined) {
      warn(`${server}: tool ${tool.name} left out: tools "${earlier}" and "${tool.name}" both become binding ${name}`);
      continue;
    }
    let binding: Binding;
    try {
      binding = toolBinding(client, tool, name, {
        server,
        callTimeoutMs: options.callTimeoutMs ?? 60_000,
        exists: () => current.has(tool.name),
      });
    } catch (error) {
      warn(`${server}: tool ${tool.name} left out: its schema cannot be used (${error instanceof Error ? error.message : String(error)})`);
      continue;
    }
    claimed.set(name, tool.name);
    bindings.push(binding);
  }
  return { bindings, warnings };
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
  exists(): boolean;
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
      if (!options.exists()) {
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
