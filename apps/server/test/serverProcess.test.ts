import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Client, ConnectionClosedError, LimitExceededError, UnauthorizedError } from '@scomp/peer';
import { spawnStdioTransport } from '@scomp/transport-stdio';
import { connectWebSocket } from '@scomp/transport-ws/node';
import { serverBinPath, spawnProcess, spawnServerProcess } from '../src/testing/index.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

function connect(url: string, metadata?: Record<string, unknown>) {
  return Client.connect(() => connectWebSocket(url), metadata ? { metadata } : {});
}

describe('scomp-server', () => {
  it('prints its options with --help and exits 0', async () => {
    await using server = spawnProcess(process.execPath, [serverBinPath, '--help']);
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(server.stdout).toMatch(/^Usage: scomp-server/);
  });

  it('refuses an unknown flag with exit code 2', async () => {
    await using server = spawnProcess(process.execPath, [serverBinPath, '--prot', '1']);
    expect((await server.exited).code).toBe(2);
    expect(server.stderr).toContain("Unknown option '--prot'");
    expect(server.stdout).toBe('');
  });

  it('prints one listening line with the bound port, then serves evals', async () => {
    await using server = await spawnServerProcess();
    expect(server.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    expect(server.url).not.toMatch(/:0$/);
    await using client = await connect(server.url);
    expect(await client.eval("const o = await getOrder({ id: 'o_001' }); o.total")).toBe(142.5);
    expect(server.stdout.trim().split('\n')).toHaveLength(1);
  });

  it('shuts down on SIGTERM: in-flight evals fail with a clear error and the exit code is 0', async () => {
    await using server = await spawnServerProcess();
    await using client = await connect(server.url);
    const started = server.nextLine('stderr', 'SIGTERM');
    const pending = client.eval('await slowLookup({ ms: 60000 })');
    // The eval has reached the server once a later request on the same connection is answered.
    expect(await client.invoke('getOrder', { id: 'o_001' })).toMatchObject({ id: 'o_001' });
    server.kill('SIGTERM');
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect((error as Error).message).toMatch(/shutting down/);
    await started;
    expect(await server.exited).toEqual({ code: 0, signal: null });
  });

  it('shuts down on SIGINT with exit code 0', async () => {
    await using server = await spawnServerProcess();
    server.kill('SIGINT');
    expect(await server.exited).toEqual({ code: 0, signal: null });
  });

  it('requires the token from --token or SCOMP_TOKEN when one is set', async () => {
    await using server = await spawnServerProcess([], { env: { SCOMP_TOKEN: 's3cret' } });
    await expect(connect(server.url)).rejects.toThrow(UnauthorizedError);
    await expect(connect(server.url, { token: 'wrong' })).rejects.toThrow(UnauthorizedError);
    await using client = await connect(server.url, { token: 's3cret' });
    expect(await client.eval('1 + 1')).toBe(2);

    await using flagged = await spawnServerProcess(['--token', 'flag']);
    await expect(connect(flagged.url, { token: 's3cret' })).rejects.toThrow(UnauthorizedError);
  });

  it('stops a runaway loop after --eval-timeout-ms of CPU time, not counting time spent in bindings', async () => {
    await using server = await spawnServerProcess(['--eval-timeout-ms', '300']);
    await using client = await connect(server.url);
    const error = await client.eval('while (true) {}').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LimitExceededError);
    expect((error as LimitExceededError).detail.limit).toBe('time');
    expect(await client.eval('await slowLookup({ ms: 600 })')).toEqual({ waitedMs: 600 });
  });

  it('closes a connection that sends a message over --max-message-bytes', async () => {
    // The limit bounds what the server sends too, so it must leave room for the demo shop's handshake result.
    await using server = await spawnServerProcess(['--max-message-bytes', '16384']);
    await using client = await connect(server.url);
    expect(await client.eval(`'${'a'.repeat(1000)}'.length`)).toBe(1000);
    await expect(client.eval(`'${'a'.repeat(20000)}'.length`)).rejects.toThrow(ConnectionClosedError);
  });

  it('serves the bindings of a --bindings TypeScript module instead of the demo shop', async () => {
    await using server = await spawnServerProcess(['--bindings', fixture('bindings.ts')]);
    await using client = await connect(server.url);
    expect(client.serverBindings.map((b) => b.name).sort()).toEqual(['greet', 'math.add']);
    expect(await client.eval("[await math.add({ a: 1, b: 2 }), await greet({ name: 'Ada' })]")).toEqual([3, 'hello, Ada']);
    expect(server.stderr).toContain('loaded 2 binding(s)');
  });

  it('exits 1 with a message when the bindings module cannot be used', async () => {
    await using server = spawnProcess(process.execPath, [serverBinPath, '--port', '0', '--bindings', fixture('empty.mjs')]);
    expect((await server.exited).code).toBe(1);
    expect(server.stderr).toContain('exports no bindings');
  });

  it('exits 1 when the port is taken', async () => {
    await using first = await spawnServerProcess();
    const port = new URL(first.url).port;
    await using second = spawnProcess(process.execPath, [serverBinPath, '--port', port]);
    expect((await second.exited).code).toBe(1);
    expect(second.stderr).toMatch(/failed to start: .*EADDRINUSE/);
  });

  it('serves one session over stdio and exits 0 when stdin closes', async () => {
    const transport = await spawnStdioTransport({ command: process.execPath, args: [serverBinPath, '--stdio'], stderr: 'pipe' });
    await using _ = transport;
    const client = await Client.connect(transport);
    expect(await client.eval("const o = await getOrder({ id: 'o_001' }); o.total")).toBe(142.5);
    expect(await client.eval('o.id')).toBe('o_001');
    client.close();
    expect(await transport.exited).toEqual({ exitCode: 0, signal: null });
  });

  it('refuses --port together with --stdio', async () => {
    await using server = spawnProcess(process.execPath, [serverBinPath, '--stdio', '--port', '1']);
    expect((await server.exited).code).toBe(2);
  });
});
