import { afterEach, describe, expect, it, vi } from 'vitest';
import { Client } from '@scomp/peer';
import { spawnStdioTransport } from '@scomp/transport-stdio';
import { serverBin, tsNodeArgs } from './support/processes.js';
import { wsStack } from './support/wsStack.js';

// Within the default 4 MiB result limit: a string, and data that the guest's JSON.stringify writes.
const STRING = `'x'.repeat(3 * 1024 * 1024) + '\\u00e9\\n"end"'`;
const expectedString = 'x'.repeat(3 * 1024 * 1024) + 'é\n"end"';
const ROWS = `Array.from({ length: 30000 }, (_, i) => ({ i, name: 'row ' + i, tags: ['a', "b\\"c"], ok: i % 2 === 0 }))`;
const expectedRows = Array.from({ length: 30000 }, (_, i) => ({ i, name: `row ${i}`, tags: ['a', 'b"c'], ok: i % 2 === 0 }));

afterEach(() => {
  vi.restoreAllMocks();
});

describe('large eval results', () => {
  it('arrive intact over WebSocket, never parsed on the thread that sends them', async () => {
    await using stack = await wsStack();
    const client = await stack.connect();
    const parse = vi.spyOn(JSON, 'parse');
    expect(await client.eval(STRING)).toBe(expectedString);
    expect(await client.eval(ROWS)).toEqual(expectedRows);
    const large = parse.mock.calls.map(([text]) => text).filter((text) => text.length > 1024 * 1024);
    // The client parses each response; the server, in this same process, parsed neither result.
    expect(large.filter((text) => text.startsWith('{"jsonrpc":"2.0"'))).toHaveLength(2);
    expect(large.filter((text) => !text.startsWith('{"jsonrpc":"2.0"'))).toEqual([]);
  });

  it('arrive intact over stdio', async () => {
    await using transport = await spawnStdioTransport({
      command: process.execPath,
      args: tsNodeArgs(serverBin, '--stdio'),
      stderr: 'inherit',
      cwd: new URL('..', import.meta.url).pathname,
    });
    const client = await Client.connect(transport);
    expect(await client.eval(STRING)).toBe(expectedString);
    expect(await client.eval(ROWS)).toEqual(expectedRows);
    client.close();
  });
});
