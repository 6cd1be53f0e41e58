import { describe, expect, it } from 'vitest';
import { parseMcpArgs, UsageError } from '../src/cli.js';

describe('scomp-mcp command line', () => {
  it('serves stdio by default and HTTP with --http', () => {
    expect(parseMcpArgs([], {})).toMatchObject({ kind: 'serve', options: { transport: 'stdio', sessionIdleMs: 900_000, maxOutputChars: 20_000 } });
    expect(parseMcpArgs(['--http', '--port', '0'], {})).toMatchObject({ options: { transport: 'http', host: '127.0.0.1', port: 0 } });
    expect(parseMcpArgs(['--thread-bindings', 't.js'], {})).toMatchObject({ options: { threadBindingsModule: 't.js' } });
  });

  it('refuses options that do not fit together, naming them', () => {
    expect(() => parseMcpArgs(['--port', '1'], {})).toThrow(new UsageError('--host and --port need --http'));
    expect(() => parseMcpArgs(['--connect', 'ws://h', '--bindings', 'b.js'], {})).toThrow(/--bindings does not apply with --connect/);
    expect(() => parseMcpArgs(['--connect', 'ws://h', '--thread-bindings', 't.js'], {})).toThrow(/--thread-bindings does not apply with --connect/);
    expect(() => parseMcpArgs(['--connect', 'http://h'], {})).toThrow(/--connect needs a ws:\/\/ or wss:\/\/ URL/);
    expect(() => parseMcpArgs(['--max-output-chars', '10'], {})).toThrow(/--max-output-chars must be an integer from 100/);
    expect(() => parseMcpArgs(['--nope'], {})).toThrow(UsageError);
  });

  it('takes the token for --connect from SCOMP_TOKEN unless given', () => {
    expect(parseMcpArgs(['--connect', 'ws://h'], { SCOMP_TOKEN: 'env' })).toMatchObject({ options: { token: 'env' } });
    expect(parseMcpArgs(['--connect', 'ws://h', '--token', 'flag'], { SCOMP_TOKEN: 'env' })).toMatchObject({ options: { token: 'flag' } });
  });
});
