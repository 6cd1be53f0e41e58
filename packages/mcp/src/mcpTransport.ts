import type { Transport as McpTransport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import { JSONRPCMessageSchema, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { Transport } from '@scomp/peer';

/**
 * An MCP SDK transport over a scomp transport. MCP's stdio framing is scomp's (newline-delimited
 * JSON-RPC), so `spawnStdioTransport` (child process, stderr kept) and `serveStdio` carry MCP as they are.
 */
export function toMcpTransport(transport: Transport): McpTransport {
  let started = false;
  const adapter: McpTransport = {
    async start() {
      if (started) throw new Error('transport already started');
      started = true;
      transport.start({
        message: (data) => {
          let message: JSONRPCMessage;
          try {
            message = JSONRPCMessageSchema.parse(JSON.parse(data));
          } catch (error) {
            adapter.onerror?.(new Error(`not a JSON-RPC message: ${error instanceof Error ? error.message : String(error)}`));
            return;
          }
          adapter.onmessage?.(message);
        },
        close: (info) => {
          if (info.error) adapter.onerror?.(info.error);
          adapter.onclose?.();
        },
      });
    },
    async send(message: JSONRPCMessage, _options?: TransportSendOptions) {
      transport.send(JSON.stringify(message));
    },
    async close() {
      transport.close({ reason: 'closed' });
    },
  };
  return adapter;
}
