import { afterEach, describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { UsageError, integerOption, parseCommandLine, parseOrReport, redirectConsoleToStderr, shutdownSignal } from '../src/cli/index.js';

describe('command-line plumbing', () => {
  it('parses with util.parseArgs and turns what it refuses into a UsageError', () => {
    const options = { port: { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const;
    expect(parseCommandLine(['--port', '1', '-h'], options).values).toEqual({ port: '1', help: true });
    expect(parseCommandLine(['run', '--port', '2'], options, true)).toEqual({ values: { port: '2' }, positionals: ['run'] });
    expect(() => parseCommandLine(['--bogus'], options)).toThrow(UsageError);
    expect(() => parseCommandLine(['--port'], options)).toThrow(/argument missing/);
    expect(() => parseCommandLine(['extra'], options)).toThrow(/positional/);
  });

  it('reads whole decimal numbers within bounds, naming the option otherwise', () => {
    expect(integerOption('--port', undefined, 7357, 0, 65_535)).toBe(7357);
    expect(integerOption('--port', '0', 7357, 0, 65_535)).toBe(0);
    for (const text of ['-1', '1.5', '1e3', '10ms', '', '70000']) {
      expect(() => integerOption('--port', text, 7357, 0, 65_535)).toThrow(new UsageError(`--port must be an integer from 0 to 65535, got "${text}"`));
    }
    expect(() => integerOption('--n', '99999999999999999999', 1, 1)).toThrow(/--n must be an integer from 1 to 9007199254740991/);
  });
});

describe('reporting a bad command line', () => {
  it('writes a UsageError with a pointer to --help and returns undefined, and throws anything else on', () => {
    const stderr = new PassThrough();
    expect(parseOrReport('scomp-x', () => ({ kind: 'help' }), stderr)).toEqual({ kind: 'help' });
    expect(parseOrReport('scomp-x', () => integerOption('--port', 'x', 1, 0, 9), stderr)).toBeUndefined();
    expect(String(stderr.read())).toBe('scomp-x: --port must be an integer from 0 to 9, got "x"\nRun "scomp-x --help" for the options.\n');
    expect(() =>
      parseOrReport(
        'scomp-x',
        () => {
          throw new RangeError('a bug');
        },
        stderr,
      ),
    ).toThrow(RangeError);
  });
});

describe('process plumbing', () => {
  const saved = { log: console.log, info: console.info, debug: console.debug, error: console.error };
  const signalListeners = () => [...process.listeners('SIGINT'), ...process.listeners('SIGTERM')];
  let before: ReturnType<typeof signalListeners> = [];

  afterEach(() => {
    Object.assign(console, saved);
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      for (const listener of process.listeners(signal)) if (!before.includes(listener)) process.off(signal, listener);
    }
  });

  it('sends console.log, info and debug to console.error', () => {
    const lines: unknown[][] = [];
    console.error = (...args: unknown[]) => void lines.push(args);
    redirectConsoleToStderr();
    console.log('a', 1);
    console.info('b');
    console.debug('c');
    expect(lines).toEqual([['a', 1], ['b'], ['c']]);
  });

  it('resolves on the first SIGINT or SIGTERM after logging it, and arms a forced exit for the second', async () => {
    before = signalListeners();
    const logged: string[] = [];
    const stop = shutdownSignal((line) => logged.push(line));
    expect(signalListeners().length).toBe(before.length + 2);
    process.emit('SIGTERM', 'SIGTERM');
    await stop;
    expect(logged).toEqual(['SIGTERM: shutting down']);
    // One listener per signal again: the ones that exit at once.
    expect(signalListeners().length).toBe(before.length + 2);
  });
});
