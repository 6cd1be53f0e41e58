import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { Client } from '@scomp/peer';
import { spawnStdioTransport } from '@scomp/transport-stdio';
import { runWhenMain, type Log } from '../shared/runMain.js';

const examplesDir = fileURLToPath(new URL('..', import.meta.url));

export async function run(log: Log = () => {}) {
  // Like an MCP stdio server entry: a command, its arguments, a working directory.
  await using transport = await spawnStdioTransport({
    command: process.execPath,
    args: ['--conditions=@scomp/source', '--import', 'tsx', 'stdio/server.ts'],
    cwd: examplesDir,
    stderr: 'pipe',
  });
  await using client = await Client.connect(transport);
  log(`connected to server process ${transport.pid}, bindings: ${client.serverBindings.map((b) => b.name).join(', ')}`);

  const order = (await client.eval(`const o = await getOrder({ id: 'o_001' }); o`)) as { total: number; servedBy: number };
  log(`eval ran in process ${order.servedBy}: total ${order.total}`);
  assert.equal(order.total, 142.5);
  assert.equal(order.servedBy, transport.pid);

  // Closing the client closes the server's stdin; the server exits on its own.
  client.close();
  const exit = await transport.exited;
  log(`server exited with ${JSON.stringify(exit)}; its stderr said: ${transport.stderrText().trim()}`);
  assert.deepEqual(exit, { exitCode: 0, signal: null });
  return { order, exit };
}

runWhenMain(import.meta.url, run);
