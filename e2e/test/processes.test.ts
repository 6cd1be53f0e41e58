import { describe, expect, it } from 'vitest';
import Type from 'typebox';
import { Client, ConnectionClosedError, defineBinding } from '@scomp/peer';
import { spawnStdioTransport } from '@scomp/transport-stdio';
import { connectWebSocket } from '@scomp/transport-ws/node';
import { groupRunning } from '@scomp/transport-stdio/process';
import { child, faultBindings, serverBin, tsNodeArgs } from './support/processes.js';
import { gate, wsStack } from './support/wsStack.js';

// Each test starts server and client processes through tsx, which is slow on a loaded machine.
describe('process faults, with real child processes', { timeout: 60_000 }, () => {
  it('a killed client process leaves a detached session and no connection or reference behind', async () => {
    const started = gate();
    const finish = gate<string>();
    const wait = defineBinding({
      name: 'wait',
      input: Type.Object({}),
      handler: () => {
        started.open();
        return finish.promise;
      },
    });
    await using s = await wsStack({ bindings: [wait] });
    await using client = child(tsNodeArgs(new URL('./fixtures/killedClient.ts', import.meta.url), s.listener.url));
    const [, sessionId] = await client.line(/ready (\S+) 2/);
    await started.promise;
    expect(s.server.stats()).toMatchObject({ connections: 1, attachedSessions: 1, refs: { exported: 2, imported: 0 } });
    client.kill('SIGKILL');
    expect(await s.serverSide[0]!.closed).toMatchObject({ code: 1006 });
    expect(await client.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(s.server.stats()).toEqual({ connections: 0, sessions: 1, attachedSessions: 0, refs: { exported: 0, imported: 0 } });
    // The eval the dead client started still runs to completion; its session can be resumed.
    finish.open('finished');
    const resumed = await Client.connect(() => connectWebSocket(s.listener.url), { sessionId: sessionId! });
    expect(await resumed.eval('"resumed"')).toBe('resumed');
    resumed.close();
  });

  it('the server process shuts down on SIGTERM: clients are told, the process exits 0', async () => {
    await using server = child(tsNodeArgs(serverBin, '--port', '0', '--bindings', faultBindings));
    const [, url] = await server.line(/listening on (ws:\/\/\S+)/);
    let closeCode: number | undefined;
    const client = await Client.connect(async () => {
      const transport = await connectWebSocket(url!);
      const start = transport.start.bind(transport);
      transport.start = (handler) =>
        start({
          message: handler.message,
          close: (info) => {
            closeCode = info.code;
            handler.close(info);
          },
        });
      return transport;
    });
    await client.eval('kept = 1');
    const running = client.eval('await wait({})').catch((e: unknown) => e);
    server.kill('SIGTERM');
    expect(await running).toBeInstanceOf(ConnectionClosedError);
    expect(closeCode).toBe(1001);
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(server.stderr).toMatch(/SIGTERM: shutting down[\s\S]*stopped/);
    expect(client.state).toBe('closed');
  });

  it('a crashing stdio server fails the pending call and leaves no process behind', async () => {
    const transport = await spawnStdioTransport({
      command: process.execPath,
      args: tsNodeArgs(serverBin, '--stdio', '--bindings', faultBindings),
      stderr: 'pipe',
      cwd: new URL('..', import.meta.url).pathname,
    });
    await using _ = transport;
    const client = await Client.connect(transport);
    expect(await client.eval('6 * 7')).toBe(42);
    const error = await client.eval('await crash({ code: 3 })').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect(await transport.exited).toEqual({ exitCode: 3, signal: null });
    expect(groupRunning(transport.pid)).toBe(false);
    expect(client.state).toBe('closed');
  });
});
