import { describe, expect, it } from 'vitest';
import { Client } from '@scomp/peer';
import { tapTransport } from '@scomp/peer/authoring';
import { spawnStdioTransport } from '@scomp/transport-stdio';
import { fileURLToPath } from 'node:url';
import { serverBin, tsNodeArgs } from './support/processes.js';

const threadBindings = fileURLToPath(new URL('./fixtures/threadBindings.js', import.meta.url));

describe('scomp-server --thread-bindings', { timeout: 60_000 }, () => {
  it("runs guest calls of the module's bindings on the runtime's thread, and client invokes on the server's", async () => {
    const transport = await spawnStdioTransport({
      command: process.execPath,
      args: tsNodeArgs(serverBin, '--stdio', '--thread-bindings', threadBindings),
      stderr: 'pipe',
      cwd: fileURLToPath(new URL('..', import.meta.url)),
    });
    await using _ = transport;
    const received: string[] = [];
    const client = await Client.connect(tapTransport(transport, { message: (direction, data) => direction === 'in' && received.push(data) }));
    try {
      expect(client.serverBindings.map((meta) => meta.name)).toEqual(['chatty', 'where']);
      expect(await client.eval('await where({})')).toEqual({ isMainThread: false });
      expect(await client.invoke('where', {})).toEqual({ isMainThread: true });
      // What a handler logs on its thread goes to stderr: stdout carries only the protocol.
      expect(await client.eval('await chatty({})')).toBe('said it');
      expect(await client.eval('6 * 7')).toBe(42);
      expect(received.filter((line) => line.includes('a line from a binding module'))).toEqual([]);
    } finally {
      client.close();
    }
  });
});
