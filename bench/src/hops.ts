/**
 * The cost of components: eval and invoke round trips through one and three transparent
 * components, against the same server alone. In memory, everything runs in this process over
 * in-memory transports, so the figures are the components' own work (decode, forward, re-encode).
 * Over processes, each component is a `scomp-proxy` child over stdio in front of a server child,
 * as `scomp chain` runs them, so the figures add a pipe and a process per hop.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, type Transport } from '@scomp/peer';
import { createMemoryTransportPair } from '@scomp/peer/testing';
import { createComponent, type Component } from '@scomp/proxy';
import { CHAIN_ENV, type ChainEntry } from '@scomp/proxy/node';
import { spawnStdioTransport } from '@scomp/transport-stdio';
import { nodeArgs } from './child.js';
import type { Config } from './config.js';
import type { Result } from './report.js';
import { MAX_MESSAGE_BYTES, scompServer } from './services.js';
import { paired, timeSequential } from './stats.js';

interface Chain {
  client: Client;
  close(): Promise<void>;
}

async function openMemoryChain(hops: number): Promise<Chain> {
  const server = scompServer();
  const components: Component[] = [];
  let accept = (transport: Transport) => server.accept(transport);
  for (let i = 0; i < hops; i++) {
    const next = accept;
    const component = createComponent({
      name: `hop${hops - i}`,
      downstream: () => {
        const [near, far] = createMemoryTransportPair();
        next(far);
        return near;
      },
    });
    components.push(component);
    accept = (transport) => component.accept(transport);
  }
  const [near, far] = createMemoryTransportPair();
  accept(far);
  const client = await Client.connect(near);
  return {
    client,
    close: async () => {
      client.close();
      for (const component of components.reverse()) await component.close();
      await server.close();
    },
  };
}

/** The built `scomp-proxy` launcher of the workspace package. */
const proxyBin = join(dirname(createRequire(import.meta.url).resolve('@scomp/proxy/package.json')), 'bin', 'scomp-proxy.js');
const benchDir = fileURLToPath(new URL('..', import.meta.url));

/** `hops` transparent `scomp-proxy` processes over stdio in front of the bench server over stdio. */
async function openProcessChain(hops: number): Promise<Chain> {
  const limit = ['--max-message-bytes', String(MAX_MESSAGE_BYTES)];
  const server: ChainEntry = { command: process.execPath, args: nodeArgs('./server.ts', 'scomp-stdio'), cwd: benchDir };
  const proxy: ChainEntry = { command: process.execPath, args: [proxyBin, 'transparent', ...limit], cwd: benchDir };
  const [head, ...rest] = [...Array.from({ length: hops }, () => proxy), server];
  const transport = await spawnStdioTransport({
    command: head.command,
    args: head.args ?? [],
    cwd: benchDir,
    env: { [CHAIN_ENV]: rest.length > 0 ? JSON.stringify(rest) : '' },
    maxMessageBytes: MAX_MESSAGE_BYTES,
  });
  // Each process starts the next one: a slow machine needs more than the default handshake time.
  const client = await Client.connect(transport, { handshakeTimeoutMs: 120_000 });
  return {
    client,
    close: async () => {
      client.close();
      await transport[Symbol.asyncDispose]();
    },
  };
}

const ops = [
  { kind: 'eval', run: (client: Client) => client.eval('1+1') },
  { kind: 'invoke', run: (client: Client) => client.invoke('echo', { n: 1 }) },
] as const;

async function compareHops(config: Config, where: 'memory' | 'process', open: (hops: number) => Promise<Chain>): Promise<Result[]> {
  // A round trip through processes costs milliseconds on a loaded machine: fewer per run keep the suite within minutes.
  const roundTrips = where === 'process' ? Math.max(1, Math.round(config.roundTrips / 5)) : config.roundTrips;
  const alone = await open(0);
  const results: Result[] = [];
  try {
    for (const hops of [1, 3]) {
      const chain = await open(hops);
      try {
        for (const op of ops) {
          const result = await paired(
            () => timeSequential(() => op.run(chain.client), roundTrips),
            () => timeSequential(() => op.run(alone.client), roundTrips),
            config.counts,
          );
          const components = `${hops} component${hops === 1 ? '' : 's'}`;
          results.push({
            id: where === 'memory' ? `hops.${hops}.${op.kind}` : `hops.stdio.${hops}.${op.kind}`,
            group: 'hops',
            title:
              where === 'memory'
                ? `${op.kind} round trip through ${components} (in memory)`
                : `${op.kind} round trip through ${components} (scomp-proxy processes over stdio)`,
            subject: { name: `${hops} hop${hops === 1 ? '' : 's'}`, unit: 'us/op', summary: result.subject, perRun: roundTrips },
            baseline: {
              name: where === 'memory' ? 'server alone' : 'server alone (stdio process)',
              unit: 'us/op',
              summary: result.baseline,
              perRun: roundTrips,
            },
            ratio: result.ratio,
          });
        }
      } finally {
        await chain.close();
      }
    }
  } finally {
    await alone.close();
  }
  return results;
}

export async function hopBenchmarks(config: Config): Promise<Result[]> {
  return [...(await compareHops(config, 'memory', openMemoryChain)), ...(await compareHops(config, 'process', openProcessChain))];
}
