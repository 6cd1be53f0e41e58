/**
 * The cost of components: eval and invoke round trips through one and three transparent
 * components, against the same server alone. Everything runs in this process over in-memory
 * transports, so the figures are the components' own work (decode, forward, re-encode), not IPC.
 */
import { Client, type Transport } from '@scomp/peer';
import { createMemoryTransportPair } from '@scomp/peer/testing';
import { createComponent, type Component } from '@scomp/proxy';
import type { Config } from './config.js';
import type { Result } from './report.js';
import { scompServer } from './services.js';
import { paired, timeSequential } from './stats.js';

interface Chain {
  client: Client;
  close(): Promise<void>;
}

async function openChain(hops: number): Promise<Chain> {
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

export async function hopBenchmarks(config: Config): Promise<Result[]> {
  const alone = await openChain(0);
  const results: Result[] = [];
  try {
    for (const hops of [1, 3]) {
      const chain = await openChain(hops);
      try {
        const ops = [
          { kind: 'eval', run: (client: Client) => client.eval('1+1') },
          { kind: 'invoke', run: (client: Client) => client.invoke('echo', { n: 1 }) },
        ] as const;
        for (const op of ops) {
          const result = await paired(
            () => timeSequential(() => op.run(chain.client), config.roundTrips),
            () => timeSequential(() => op.run(alone.client), config.roundTrips),
            config.counts,
          );
          results.push({
            id: `hops.${hops}.${op.kind}`,
            group: 'hops',
            title: `${op.kind} round trip through ${hops} component${hops === 1 ? '' : 's'} (in memory)`,
            subject: { name: `${hops} hop${hops === 1 ? '' : 's'}`, unit: 'us/op', summary: result.subject, perRun: config.roundTrips },
            baseline: { name: 'server alone', unit: 'us/op', summary: result.baseline, perRun: config.roundTrips },
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
