import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { UsageError } from '@scomp/transport-stdio/cli';
import { CHAIN_ENV, ChainConfigError, PROXY_HELP, parseChain, proxyMain } from '../src/node.js';
import { parseProxyArgs } from '../src/node/cli.js';

describe('chain configuration', () => {
  it('accepts an array or { chain } of { command, args, env, cwd } entries', () => {
    const entries = [{ command: 'scomp-proxy', args: ['audit'], env: { A: '1' } }, { command: 'scomp-server', args: ['--stdio'], cwd: '/tmp' }];
    expect(parseChain(entries)).toEqual(entries);
    expect(parseChain({ chain: entries })).toEqual(entries);
  });

  it('says where a chain is wrong', () => {
    expect(() => parseChain([])).toThrow(new ChainConfigError('chain: the chain is empty; it needs at least a server'));
    expect(() => parseChain([{ command: 'a' }, { args: [] }])).toThrow('chain[1].command: expected a non-empty string');
    expect(() => parseChain([{ command: 'a', args: [1] }])).toThrow('chain[0].args: expected an array of strings');
    expect(() => parseChain([{ command: 'a', env: { X: 1 } }])).toThrow('chain[0].env: expected an object of strings');
    expect(() => parseChain({ servers: [] })).toThrow(/expected an array/);
  });
});

describe('scomp-proxy arguments', () => {
  it('reads the component, its options and where its downstream is', () => {
    expect(parseProxyArgs(['scope', '--server-bindings', 'orders.*, getOrder', '--downstream', 'ws://127.0.0.1:9'], {})).toEqual({
      kind: 'scope',
      serverBindings: ['orders.*', 'getOrder'],
      downstream: { kind: 'url', url: 'ws://127.0.0.1:9' },
      host: '127.0.0.1',
    });
    expect(parseProxyArgs(['--downstream-stdio', 'scomp-server --stdio "--token=a b"', '--port', '0'], {})).toMatchObject({
      kind: 'transparent',
      port: 0,
      downstream: { kind: 'chain', chain: [{ command: 'scomp-server', args: ['--stdio', '--token=a b'] }] },
    });
    const rest = [{ command: 'scomp-server', args: ['--stdio'] }];
    expect(parseProxyArgs(['audit'], { [CHAIN_ENV]: JSON.stringify(rest) })).toMatchObject({ kind: 'audit', downstream: { kind: 'chain', chain: rest } });
  });

  it('refuses command lines it cannot run, with the reason', () => {
    expect(() => parseProxyArgs(['audit'], {})).toThrow(/missing downstream/);
    expect(() => parseProxyArgs(['nope', '--downstream', 'ws://x'], {})).toThrow('unknown component "nope"');
    expect(() => parseProxyArgs(['--downstream', 'http://x'], {})).toThrow(/not a WebSocket URL/);
    expect(() => parseProxyArgs(['--downstream', 'ws://x', '--chain', 'c.json'], {})).toThrow(/only one of/);
    expect(() => parseProxyArgs(['audit', '--effects', 'write', '--downstream', 'ws://x'], {})).toThrow('--effects applies to the approval component only');
    expect(() => parseProxyArgs(['scope', '--downstream', 'ws://x'], {})).toThrow(/scope needs/);
    expect(() => parseProxyArgs(['--port', '99999', '--downstream', 'ws://x'], {})).toThrow('--port must be an integer from 0 to 65535, got "99999"');
    expect(() => parseProxyArgs(['--max-message-bytes', '1e6', '--downstream', 'ws://x'], {})).toThrow(/--max-message-bytes must be an integer from 1/);
    expect(() => parseProxyArgs(['--nope', '--downstream', 'ws://x'], {})).toThrow(UsageError);
    expect(() => parseProxyArgs(['audit'], { [CHAIN_ENV]: '[' })).toThrow(`${CHAIN_ENV} is not JSON`);
  });

  it('answers --help with the help text and a bad command line with exit code 2 and the reason', async () => {
    const run = async (argv: string[]) => {
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      const code = await proxyMain(argv, { stdout, stderr, env: {} });
      return { code, stdout: String(stdout.read() ?? ''), stderr: String(stderr.read() ?? '') };
    };
    expect(await run(['--help'])).toEqual({ code: 0, stdout: PROXY_HELP, stderr: '' });
    expect(await run(['audit', '--port', 'x', '--downstream', 'ws://x'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'scomp-proxy: --port must be an integer from 0 to 65535, got "x"\nRun "scomp-proxy --help" for the options.\n',
    });
  });
});
