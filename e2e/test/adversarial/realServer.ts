import { Client, type ClientOptions, type Transport } from '@scomp/peer';
import { spawnStdioTransport } from '@scomp/transport-stdio';
import { connectWebSocket } from '@scomp/transport-ws/node';
import { expect } from 'vitest';
import { serverBinPath, spawnServerProcess } from '../../../apps/server/src/testing/index.js';

/**
 * A real `scomp-server` process (the built one) and ways to reach it. Over WebSocket each `dial`
 * opens a new connection; over stdio the process has exactly one connection, so `dial` works once.
 */
export interface RealServer {
  readonly kind: 'ws' | 'stdio';
  dial(): Promise<Transport>;
  connect(options?: ClientOptions): Promise<Client>;
  /** Fails the test if the process has exited. */
  expectAlive(): void;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * The property-based suites open a session per generated case, all as the one anonymous principal;
 * the quotas that would refuse them have a suite of their own (quotas.test.ts).
 */
const ROOMY_QUOTAS = ['--max-sessions-per-principal', '100000', '--max-principal-memory-mb', '100000000'];

export async function wsServer(args: readonly string[] = []): Promise<RealServer> {
  const process_ = await spawnServerProcess([...ROOMY_QUOTAS, ...args]);
  const clients: Client[] = [];
  return {
    kind: 'ws',
    dial: () => connectWebSocket(process_.url),
    async connect(options = {}) {
      const client = await Client.connect(() => connectWebSocket(process_.url), options);
      clients.push(client);
      return client;
    },
    expectAlive() {
      expect({ exitCode: process_.child.exitCode, signal: process_.child.signalCode, stderr: process_.stderr }).toMatchObject({ exitCode: null, signal: null });
    },
    async [Symbol.asyncDispose]() {
      for (const client of clients) client.close();
      await process_[Symbol.asyncDispose]();
    },
  };
}

export async function stdioServer(args: readonly string[] = []): Promise<RealServer> {
  const transport = await spawnStdioTransport({ command: process.execPath, args: [serverBinPath, '--stdio', ...args], stderr: 'pipe' });
  let exited = false;
  void transport.exited.then(() => (exited = true));
  let dialled = false;
  const clients: Client[] = [];
  const dial = async () => {
    if (dialled) throw new Error('a stdio server has one connection');
    dialled = true;
    return transport;
  };
  return {
    kind: 'stdio',
    dial,
    async connect(options = {}) {
      const client = await Client.connect(await dial(), options);
      clients.push(client);
      return client;
    },
    expectAlive() {
      expect(exited).toBe(false);
    },
    async [Symbol.asyncDispose]() {
      for (const client of clients) client.close();
      await transport[Symbol.asyncDispose]();
    },
  };
}

/**
 * A session that keeps a counter, for checking that a neighbour of hostile traffic keeps its state
 * and is answered: each `check` expects the next count.
 */
export async function neighbour(client: Client) {
  let count = 0;
  await client.eval('globalThis.count = 0');
  return {
    client,
    async check() {
      count++;
      expect(await client.eval('++count')).toBe(count);
      expect(await client.eval('({ x: 1 })')).toStrictEqual({ x: 1 });
    },
  };
}
