import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { CLIENT_HELP, UsageError, main, parseClientArgs, splitCommand } from '../src/index.js';

describe('parseClientArgs', () => {
  it('reads eval with a URL and code', () => {
    expect(parseClientArgs(['eval', 'ws://127.0.0.1:7357', '1 + 1'], {})).toEqual({
      kind: 'eval',
      connect: { target: { kind: 'url', url: 'ws://127.0.0.1:7357' } },
      code: '1 + 1',
      json: false,
    });
  });

  it('reads eval with --file, --json, --session, --token and --bindings', () => {
    expect(
      parseClientArgs(['eval', 'wss://h/x', '--file', 'a.js', '--json', '--session', 'sess_1', '--token', 't', '--bindings', 'b.ts'], {}),
    ).toEqual({
      kind: 'eval',
      connect: { target: { kind: 'url', url: 'wss://h/x' }, token: 't', sessionId: 'sess_1', bindingsModule: 'b.ts' },
      file: 'a.js',
      json: true,
    });
  });

  it('starts a stdio server instead of a URL with --stdio, anywhere on the line', () => {
    expect(parseClientArgs(['--stdio', 'node "my server.js" --stdio', 'eval', '1'], {})).toEqual({
      kind: 'eval',
      connect: { target: { kind: 'stdio', command: 'node', args: ['my server.js', '--stdio'] } },
      code: '1',
      json: false,
    });
    expect(parseClientArgs(['repl', '--stdio', 'srv'], {})).toEqual({
      kind: 'repl',
      connect: { target: { kind: 'stdio', command: 'srv', args: [] } },
    });
  });

  it('takes the token from SCOMP_TOKEN unless --token is given', () => {
    expect(parseClientArgs(['bindings', 'ws://h'], { SCOMP_TOKEN: 'env' })).toMatchObject({ connect: { token: 'env' } });
    expect(parseClientArgs(['bindings', 'ws://h', '--token', 'f'], { SCOMP_TOKEN: 'env' })).toMatchObject({ connect: { token: 'f' } });
  });

  it('answers help', () => {
    expect(parseClientArgs(['--help'], {})).toEqual({ kind: 'help' });
    expect(parseClientArgs(['help'], {})).toEqual({ kind: 'help' });
    expect(parseClientArgs(['eval', '-h'], {})).toEqual({ kind: 'help' });
  });

  it.each([
    [[], /missing command/],
    [['run', 'ws://h'], /unknown command "run"/],
    [['eval'], /missing <url>/],
    [['eval', 'http://h', '1'], /not a WebSocket URL/],
    [['eval', 'ws://h'], /missing <code>/],
    [['eval', 'ws://h', '1', '2'], /too many arguments/],
    [['eval', 'ws://h', '1', '--file', 'f'], /either <code> or --file/],
    [['repl', 'ws://h', '--json'], /--json does not apply to "repl"/],
    [['bindings', 'ws://h', '--file', 'f'], /--file does not apply/],
    [['bindings', 'ws://h', 'extra'], /unexpected argument/],
    [['eval', 'ws://h', '1', '--bogus'], /Unknown option '--bogus'/],
    [['eval', '--stdio', '"unclosed', '1'], /--stdio: unterminated double quote/],
    [['eval', '--stdio', '  ', '1'], /--stdio needs a command/],
    [['eval', 'ws://h', '1', '--session', ''], /--session must not be empty/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseClientArgs(argv, {})).toThrow(UsageError);
    expect(() => parseClientArgs(argv, {})).toThrow(message);
  });

  it('documents every flag and exit code in --help', () => {
    for (const text of ['--stdio', '--token', '--session', '--bindings', '--json', '--file', '--help', 'SCOMP_TOKEN', 'Exit codes']) {
      expect(CLIENT_HELP).toContain(text);
    }
  });
});

describe('splitCommand', () => {
  it.each([
    ['node server.js --stdio', ['node', 'server.js', '--stdio']],
    ['  spaced   out  ', ['spaced', 'out']],
    [`node 'a b' "c \\"d\\"" e\\ f`, ['node', 'a b', 'c "d"', 'e f']],
    [`x "" ''`, ['x', '', '']],
    [`a"b"'c'`, ['abc']],
    [`"\\n stays"`, ['\\n stays']],
  ])('splits %j', (line, words) => {
    expect(splitCommand(line)).toEqual(words);
  });

  it('refuses unterminated quotes', () => {
    expect(() => splitCommand(`a 'b`)).toThrow(/unterminated single quote/);
    expect(() => splitCommand(`a "b`)).toThrow(/unterminated double quote/);
  });
});

describe('scomp chain arguments', () => {
  it('refuses a --max-message-bytes that is not a positive integer, before starting anything', async () => {
    const stderr = new PassThrough();
    const code = await main(['chain', 'chain.json', '--max-message-bytes', '0'], { stdin: new PassThrough(), stdout: new PassThrough(), stderr, env: {} });
    expect(code).toBe(2);
    expect(stderr.read()?.toString()).toBe('scomp chain: --max-message-bytes: "0" is not a positive integer\n');
  });
});
