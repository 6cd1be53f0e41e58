import { ScompError } from '@scomp/peer';

/**
 * Application error codes of MCP tool bindings. scomp reserves -32768..-32000 (spec §12.1), so
 * these sit outside it and reach evaluated code unchanged as the failed call's `code`.
 */
export const McpErrorCode = {
  /** The tool ran and reported failure (`isError: true`). */
  ToolError: 1000,
  /** The call did not complete: the server crashed, did not answer in time, or broke the protocol. */
  CallFailed: 1001,
} as const;

export interface McpToolErrorData {
  /** The tool's MCP name. */
  tool: string;
  /** The tool's text blocks, joined by newlines. */
  text: string;
  /** The result's content blocks as the server sent them. */
  content: unknown[];
}

/** A tool answered with `isError: true`. */
export class McpToolError extends ScompError {
  override name = 'McpToolError';
  constructor(message: string, data: McpToolErrorData) {
    super(McpErrorCode.ToolError, message, data);
  }
}

export interface McpCallFailedData {
  tool: string;
  /** The configured server name, when known. */
  server?: string;
  /** The MCP error code, when the failure was an MCP error response or a local SDK error. */
  mcpCode?: number;
}

/** A tool call that did not complete. */
export class McpCallFailedError extends ScompError {
  override name = 'McpCallFailedError';
  constructor(message: string, data: McpCallFailedData) {
    super(McpErrorCode.CallFailed, message, data);
  }
}
