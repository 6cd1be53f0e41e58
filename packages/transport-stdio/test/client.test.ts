import { fileURLToPath } from 'node:url';
import { Client, ConnectionClosedError } from '@scomp/peer';
import { describe, expect, it } from 'vitest';
import { ChildProcessExitError, spawnStdioTransport } from '../src/index.js';

const crashOnEval = fileURLToPath(new URL('./fixtures/crashOnEval.mjs', import.meta.url));

describe('a scomp client over a spawned server', () => {
  it('fails pending calls with the exit code when the server crashes', async () => {
    const transport = await spawnStdioTransport({ command: process.execPath, args: [crashOnEval], stderr: 'pipe' });
    const client = await Client.connect(transport);
    const error = await client.eval('1 + 1').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConnectionClosedError);
    const cause = (error as Error).cause;
    expect(cause).toBeInstanceOf(ChildProcessExitError);
    expect(cause).toMatchObject({ exitCode: 7, signal: null, stderr: 'fatal: out of cheese\n' });
    expect((error as Error).message).toBe('connection closed: server process exited with code 7: fatal: out of cheese');
    expect(await transport.exited).toEqual({ exitCode: 7, signal: null });
  });
});
