import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TransportCloseInfo, TransportHandler } from '@scomp/peer';
import { describe, expect, it } from 'vitest';
import { ChildProcessExitError, MessageTooLargeError, spawnStdioTransport, type SpawnStdioOptions } from '../src/index.js';
import { processRunning } from '../src/process/index.js';

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** Collects deliveries; `next()` resolves with the next message, `closed` with the close info. */
function collector() {
  const messages: string[] = [];
  const waiting: Array<(message: string) => void> = [];
  let onClose!: (info: TransportCloseInfo) => void;
  const closed = new Promise<TransportCloseInfo>((resolve) => (onClose = resolve));
  const handler: TransportHandler = {
    message: (message) => {
      const waiter = waiting.shift();
      if (waiter) waiter(message);
      else messages.push(message);
    },
    close: (info) => onClose(info),
  };
  const next = (): Promise<string> =>
    messages.length > 0 ? Promise.resolve(messages.shift()!) : new Promise((resolve) => waiting.push(resolve));
  return { handler, next, closed };
}

function node(script: string, arg: string, extra: Partial<SpawnStdioOptions> = {}) {
  return spawnStdioTransport({ command: process.execPath, args: [fixture(script), arg], shutdownTimeoutMs: 300, ...extra });
}

/** The session id of a process (field 6 of /proc/<pid>/stat). */
function sessionOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[3]);
}

describe('spawnStdioTransport', () => {
  it('ends the server and the process it started when the client closes', async () => {
    const transport = await node('tree.mjs', 'polite');
    const { handler, next, closed } = collector();
    transport.start(handler);
    const pids = JSON.parse(await next()) as { pid: number; grandchild: number };
    expect(pids.pid).toBe(transport.pid);
    transport.send('{"echo":1}');
    expect(await next()).toBe('{"echo":1}');
    transport.close();
    expect((await closed).error).toBeUndefined();
    expect(await transport.exited).toEqual({ exitCode: 0, signal: null });
    expect(processRunning(pids.pid)).toBe(false);
    expect(processRunning(pids.grandchild)).toBe(false);
  });

  it('escalates to SIGKILL for a server that ignores stdin closing and SIGTERM', async () => {
    const transport = await node('tree.mjs', 'stubborn');
    const { handler, next } = collector();
    transport.start(handler);
    const pids = JSON.parse(await next()) as { pid: number; grandchild: number };
    await transport[Symbol.asyncDispose]();
    expect((await transport.exited).signal).toBe('SIGKILL');
    expect(processRunning(pids.pid)).toBe(false);
    expect(processRunning(pids.grandchild)).toBe(false);
  });

  it.skipIf(process.platform !== 'linux')('keeps the server in this session with processGroup: false, so signals reach it alone', async () => {
    const transport = await node('tree.mjs', 'polite', { processGroup: false });
    const { handler, next } = collector();
    transport.start(handler);
    const pids = JSON.parse(await next()) as { pid: number; grandchild: number };
    try {
      expect(sessionOf(pids.pid)).toBe(sessionOf(process.pid));
      await transport[Symbol.asyncDispose]();
      expect(await transport.exited).toEqual({ exitCode: 0, signal: null });
      expect(processRunning(pids.pid)).toBe(false);
      expect(processRunning(pids.grandchild)).toBe(true);
    } finally {
      process.kill(pids.grandchild, 'SIGKILL');
    }
  });

  it('closes with the exit code and stderr when the server fails', async () => {
    const transport = await node('exit.mjs', 'code:3', { stderr: 'pipe' });
    const { handler, next, closed } = collector();
    transport.start(handler);
    expect(await next()).toBe('{"hello":"world"}');
    const info = await closed;
    expect(info.error).toBeInstanceOf(ChildProcessExitError);
    expect(info.error).toMatchObject({ exitCode: 3, signal: null, stderr: 'about to stop\n' });
    expect(info.reason).toBe('server process exited with code 3: about to stop');
    expect(await transport.ended).toBe(info);
    expect(transport.stderrText()).toBe('about to stop\n');
    expect(() => transport.send('{}')).toThrow(/closed/);
    await transport.exited;
  });

  it('closes with the signal when the server is killed', async () => {
    const transport = await node('exit.mjs', 'signal:SIGKILL', { stderr: 'ignore' });
    const { handler, closed } = collector();
    transport.start(handler);
    const info = await closed;
    expect(info.error).toMatchObject({ exitCode: null, signal: 'SIGKILL' });
    expect(info.reason).toBe('server process was killed by SIGKILL');
    await transport.exited;
  });

  it('closes without an error when the server exits cleanly', async () => {
    const transport = await node('exit.mjs', 'code:0', { stderr: 'ignore' });
    const { handler, closed } = collector();
    transport.start(handler);
    expect(await closed).toEqual({ reason: 'server process exited' });
    await transport.exited;
  });

  it('closes and stops the server when it sends an over-size message', async () => {
    const transport = await node('exit.mjs', 'big:5000', { stderr: 'ignore', maxMessageBytes: 1000 });
    const { handler, next, closed } = collector();
    transport.start(handler);
    expect(await next()).toBe('{"hello":"world"}');
    const info = await closed;
    expect(info.error).toBeInstanceOf(MessageTooLargeError);
    expect(info.reason).toBe('message exceeds maxMessageBytes (1000 bytes)');
    expect((await transport.exited).signal).toBe('SIGTERM');
  });

  it('keeps a piped stderr out of the message stream', async () => {
    const transport = await node('exit.mjs', 'code:0', { stderr: 'pipe' });
    const { handler, next, closed } = collector();
    transport.start(handler);
    expect(await next()).toBe('{"hello":"world"}');
    await closed;
    expect(transport.stderrText()).toBe('about to stop\n');
    await transport.exited;
  });

  it('rejects when the command cannot be started', async () => {
    await expect(spawnStdioTransport({ command: '/nonexistent/scomp-server' })).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('passes env and cwd to the server', async () => {
    const transport = await spawnStdioTransport({
      command: process.execPath,
      args: ['-e', 'console.log(JSON.stringify({ v: process.env.SCOMP_TEST, cwd: process.cwd() }))'],
      env: { SCOMP_TEST: 'yes' },
      cwd: '/',
    });
    const { handler, next } = collector();
    transport.start(handler);
    expect(JSON.parse(await next())).toEqual({ v: 'yes', cwd: '/' });
    await transport[Symbol.asyncDispose]();
  });
});
