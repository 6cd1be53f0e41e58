import { describe, expect, it } from 'vitest';
import Type from 'typebox';
import { Client, DisconnectedError, defineBinding, type ClientOptions, type HostFunction, type Transport } from '@scomp/peer';
import { STANDARD_CLIENT_BINDINGS, type LogEntry } from '@scomp/protocol';
import { CHAIN_ENV } from '@scomp/proxy/node';
import { spawnStdioTransport, type StdioChildTransport } from '@scomp/transport-stdio';
import { connectWebSocket } from '@scomp/transport-ws/node';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processRunning } from '@scomp/transport-stdio/process';
import { clientBin, processLine, descendants, stdioServer, threeComponentChain } from './support/chainProcesses.js';
import { hangingBinding } from './support/hang.js';
import { child, tsNodeArgs } from './support/processes.js';


/** Starts the head of `chain` over stdio, handing it the rest as a chain started by a parent would. */
function startChain(chain: ReturnType<typeof threeComponentChain>): Promise<StdioChildTransport> {
  const [head, ...rest] = chain;
  return spawnStdioTransport({
    command: head!.command,
    args: head!.args ?? [],
    ...(head!.cwd ? { cwd: head!.cwd } : {}),
    env: { [CHAIN_ENV]: rest.length > 0 ? JSON.stringify(rest) : '' },
    stderr: 'pipe',
  });
}

function clientBindings(logs: LogEntry[]) {
  return [
    defineBinding({ name: 'twice', input: Type.Object({ fn: Type.Unknown() }), handler: async ({ fn }) => [await (fn as HostFunction)(1), await (fn as HostFunction)(2)] }),
    defineBinding({
      name: 'log',
      input: Type.Unsafe<LogEntry>(STANDARD_CLIENT_BINDINGS.log.input),
      handler: (entry) => {
        logs.push(entry);
        return null;
      },
    }),
  ];
}

/** A fixed script of calls; what each returned or threw, as plain data. */
async function script(client: Client): Promise<unknown[]> {
  const outcomes: unknown[] = [];
  const attempt = async (run: () => Promise<unknown>) => {
    try {
      outcomes.push({ value: await run() });
    } catch (error) {
      const e = error as { name: string; code: unknown; message: string; data: unknown };
      outcomes.push({ error: e.name, code: e.code, message: e.message, data: e.data });
    }
  };
  await attempt(() => client.eval('const base = 40; base + 2'));
  await attempt(() => client.eval('base'));
  await attempt(() => client.eval('(await getOrder({ id: "o_001" })).id'));
  await attempt(() => client.invoke('listOrders', {}).then((orders) => (orders as unknown[]).length));
  await attempt(() => client.invoke('getOrder', { id: 42 }));
  await attempt(() => client.invoke('missing', {}));
  await attempt(() => client.eval('null.x'));
  await attempt(() => client.eval('twice({ fn: async (n) => n * 10 })'));
  await attempt(async () => {
    const fn = (await client.eval('(async (x) => x + base)')) as HostFunction;
    const value = await fn(1);
    fn[Symbol.dispose]?.();
    return value;
  });
  return outcomes;
}

async function connectStdio(transport: Transport, options: ClientOptions) {
  return Client.connect(transport, { handshakeTimeoutMs: 110_000, ...options });
}

// Every process of these chains runs from source through tsx, which is slow on a loaded machine.
describe('a chain of three components in front of scomp-server', { timeout: 120_000 }, () => {
  it('over stdio, behaves like the server alone, and closing the head leaves no process behind', async () => {
    const server = await startChain([stdioServer()]);
    const direct = await connectStdio(server, { bindings: clientBindings([]) });
    const expected = await script(direct);
    direct.close();
    await server.exited;

    const head = await startChain(threeComponentChain());
    const logs: LogEntry[] = [];
    const chained = await connectStdio(head, { bindings: clientBindings(logs) });
    expect(chained.serverMetadata?.chain).toEqual(['audit', 'approval', 'scope']);
    expect(chained.serverBindings.map((meta) => meta.name)).toEqual(direct.serverBindings.map((meta) => meta.name));
    expect(await script(chained)).toEqual(expected);
    expect(logs.filter((entry) => entry.message === 'eval')).toHaveLength(6);
    const processes = descendants(head.pid);
    expect(processes.length).toBeGreaterThanOrEqual(3);
    chained.close();
    expect(await head.exited).toEqual({ exitCode: 0, signal: null });
    expect([head.pid, ...processes].filter(processRunning).map(processLine)).toEqual([]);
  });

  it('a component that crashes ends the pending calls upstream with a clear error and leaves no process behind', async () => {
    const head = await startChain(threeComponentChain());
    const hang = hangingBinding();
    const client = await connectStdio(head, { bindings: [hang.binding] });
    const pending = client.eval('hang({})').catch((error: unknown) => error);
    await hang.called;
    const [approvalPid] = descendants(head.pid);
    const processes = descendants(head.pid);
    process.kill(approvalPid!, 'SIGKILL');
    const error = await pending;
    expect(error).toBeInstanceOf(DisconnectedError);
    expect((error as Error).message).toMatch(/^audit: downstream connection closed/);
    expect((await head.exited).exitCode).toBe(0);
    await expect.poll(() => [head.pid, ...processes].filter(processRunning).map(processLine), { timeout: 30_000 }).toEqual([]);
  });

  it('over WebSocket with scomp chain, resumes after a dropped connection and stops every process on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scomp-chain-'));
    const file = join(dir, 'chain.json');
    writeFileSync(file, JSON.stringify({ chain: threeComponentChain() }));
    await using chain = child(tsNodeArgs(clientBin, 'chain', file, '--port', '0'));
    const [, url] = await chain.line(/listening on (ws:\/\/\S+)/);
    const transports: Transport[] = [];
    const states: string[] = [];
    const client = await Client.connect(
      async () => {
        const transport = await connectWebSocket(url!);
        transports.push(transport);
        return transport;
      },
      { reconnect: { initialDelayMs: 0, maxDelayMs: 0 }, handshakeTimeoutMs: 110_000, onStateChange: (state) => states.push(state) },
    );
    expect(client.serverMetadata?.chain).toEqual(['scomp-chain', 'audit', 'approval', 'scope']);
    await client.eval('kept = 41');
    const processes = descendants(chain.pid);
    transports[0]!.close({ code: 4000, reason: 'network lost' });
    await expect.poll(() => states.includes('resumed'), { timeout: 30_000 }).toBe(true);
    expect(await client.eval('kept + 1')).toBe(42);
    client.close();
    chain.kill('SIGTERM');
    expect(await chain.exited).toEqual({ code: 0, signal: null });
    expect(processes.filter(processRunning).map(processLine)).toEqual([]);
  });
});
