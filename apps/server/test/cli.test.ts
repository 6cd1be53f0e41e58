import { describe, expect, it } from 'vitest';
import { SERVER_HELP, UsageError, parseServerArgs } from '../src/index.js';

describe('parseServerArgs', () => {
  it('serves WebSocket on 127.0.0.1:7357 with safe limits by default', () => {
    expect(parseServerArgs([], {})).toEqual({
      kind: 'serve',
      options: {
        transport: 'websocket',
        host: '127.0.0.1',
        port: 7357,
        evalTimeoutMs: 10_000,
        memoryMb: 64,
        sessionIdleMs: 900_000,
        maxMessageBytes: 16 * 1024 * 1024,
        maxSessionsPerPrincipal: 32,
        maxPrincipalMemoryMb: 1024,
        maxPendingInvokes: 256,
        handshakeTimeoutMs: 10_000,
      },
    });
  });

  it('reads every flag', () => {
    const command = parseServerArgs(
      [
        '--host', '0.0.0.0', '--port', '0', '--bindings', './b.ts', '--thread-bindings', './t.js', '--eval-timeout-ms', '500', '--memory-mb', '32',
        '--session-idle-ms', '1000', '--max-message-bytes', '65536', '--token', 't0k',
        '--max-sessions-per-principal', '4', '--max-principal-memory-mb', '128', '--max-pending-invokes', '8',
        '--handshake-timeout-ms', '250', '--worker-threads', '6', '--max-handshake-bytes', '4096',
      ],
      {},
    );
    expect(command).toEqual({
      kind: 'serve',
      options: {
        transport: 'websocket',
        host: '0.0.0.0',
        port: 0,
        bindingsModule: './b.ts',
        threadBindingsModule: './t.js',
        evalTimeoutMs: 500,
        memoryMb: 32,
        sessionIdleMs: 1000,
        maxMessageBytes: 65536,
        maxSessionsPerPrincipal: 4,
        maxPrincipalMemoryMb: 128,
        maxPendingInvokes: 8,
        handshakeTimeoutMs: 250,
        maxHandshakeBytes: 4096,
        workerThreads: 6,
        token: 't0k',
      },
    });
  });

  it('takes the token from SCOMP_TOKEN unless --token is given', () => {
    const fromEnv = parseServerArgs([], { SCOMP_TOKEN: 'env' });
    expect(fromEnv.kind === 'serve' && fromEnv.options.token).toBe('env');
    const fromFlag = parseServerArgs(['--token', 'flag'], { SCOMP_TOKEN: 'env' });
    expect(fromFlag.kind === 'serve' && fromFlag.options.token).toBe('flag');
    const empty = parseServerArgs([], { SCOMP_TOKEN: '' });
    expect(empty.kind === 'serve' && empty.options.token).toBeUndefined();
  });

  it('switches to stdio with --stdio', () => {
    const command = parseServerArgs(['--stdio'], {});
    expect(command.kind === 'serve' && command.options.transport).toBe('stdio');
  });

  it('serves the playground page with --playground, over WebSocket only', () => {
    const command = parseServerArgs(['--playground'], {});
    expect(command.kind === 'serve' && command.options.playground).toBe(true);
    expect(() => parseServerArgs(['--stdio', '--playground'], {})).toThrow(UsageError);
  });

  it('answers --help and -h', () => {
    expect(parseServerArgs(['--help'], {})).toEqual({ kind: 'help' });
    expect(parseServerArgs(['-h'], {})).toEqual({ kind: 'help' });
  });

  it.each([
    [['--bogus'], /Unknown option '--bogus'/],
    [['--port'], /argument missing/],
    [['--port', 'eighty'], /--port must be an integer/],
    [['--port', '70000'], /--port must be an integer from 0 to 65535/],
    [['--eval-timeout-ms', '0'], /--eval-timeout-ms/],
    [['--memory-mb', '-1'], /--memory-mb/],
    [['--max-message-bytes', '1.5'], /--max-message-bytes/],
    [['--stdio', '--port', '1'], /do not apply with --stdio/],
    [['--token', ''], /--token must not be empty/],
    [['--max-sessions-per-principal', '0'], /--max-sessions-per-principal/],
    [['--max-principal-memory-mb', 'lots'], /--max-principal-memory-mb/],
    [['--max-pending-invokes', '0'], /--max-pending-invokes/],
    [['--handshake-timeout-ms', '0'], /--handshake-timeout-ms/],
    [['--worker-threads', '0'], /--worker-threads must be an integer from 1 to 1024/],
    [['extra'], /positional/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseServerArgs(argv, {})).toThrow(UsageError);
    expect(() => parseServerArgs(argv, {})).toThrow(message);
  });

  it('documents every flag in --help', () => {
    for (const flag of [
      '--host', '--port', '--stdio', '--bindings', '--eval-timeout-ms', '--memory-mb', '--session-idle-ms',
      '--max-message-bytes', '--token', '--help', 'SCOMP_TOKEN', '--max-sessions-per-principal',
      '--max-principal-memory-mb', '--max-pending-invokes', '--handshake-timeout-ms', '--worker-threads', '--max-handshake-bytes',
    ]) {
      expect(SERVER_HELP).toContain(flag);
    }
  });
});
