import { Client as McpClient } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { ClientCapabilities } from '@modelcontextprotocol/sdk/types.js';
import type { Binding } from '@scomp/peer';
import { CodeModeSession, inProcessBackend, type CodeModeOptions } from '../../src/index.js';

export interface CodeModeFixture extends AsyncDisposable {
  readonly client: McpClient;
  readonly session: CodeModeSession;
  readonly backend: ReturnType<typeof inProcessBackend>;
}

/** A code-mode session in this process, driven by a real SDK client over the SDK's in-memory transport. */
export async function codeModeFixture(
  bindings: readonly Binding[],
  options: Omit<CodeModeOptions, 'backend'> & { capabilities?: ClientCapabilities; evalTimeoutMs?: number } = {},
): Promise<CodeModeFixture> {
  const { capabilities, evalTimeoutMs, ...codeMode } = options;
  const backend = inProcessBackend({ bindings, ...(evalTimeoutMs !== undefined ? { evalTimeoutMs } : {}) });
  const session = new CodeModeSession({ ...codeMode, backend });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await session.mcp.connect(serverSide);
  const client = new McpClient({ name: 'test-client', version: '1.0.0' }, { capabilities: capabilities ?? {} });
  await client.connect(clientSide);
  return {
    client,
    session,
    backend,
    async [Symbol.asyncDispose]() {
      await client.close();
      await session.close();
      await backend.close();
    },
  };
}
