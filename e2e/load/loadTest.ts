import Type from 'typebox';
import { Client, DisconnectedError, Server, defineBinding, type ClientState, type HostFunction, type Transport } from '@scomp/peer';
import { createQuickJsRuntimeFactory } from '@scomp/runtime-quickjs';
import { connectWebSocket, listenWebSocket } from '@scomp/transport-ws/node';

export interface LoadOptions {
  /** Concurrent sessions, each with its own client and WebSocket. */
  sessions: number;
  rounds: number;
  /** Every n-th session has its connection dropped mid-eval in each round. @default 4 */
  dropEvery?: number;
}

export interface LoadReport {
  sessions: number;
  rounds: number;
  operations: number;
  reconnects: number;
  lost: number;
  duplicated: number;
  mismatched: number;
  elapsedMs: number;
  throughputPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** JS heap after each round (after a GC when available), in bytes. */
  heapAfterRound: number[];
  /** The first few operations that failed, for diagnosis. */
  failures: string[];
  /** Server-side leftovers after the clients closed: connections, attached sessions, references. */
  leftovers: { connections: number; attachedSessions: number; refs: number };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const gc = (globalThis as { gc?: () => void }).gc;

/**
 * Many sessions over WebSocket on loopback, each doing a mix of keyed evals, client→server
 * invokes, server→client calls and function references, with connections dropped mid-eval and
 * resumed. Counts every answer that is lost, arrives twice, or belongs to another call.
 */
export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const dropEvery = options.dropEvery ?? 4;
  const echo = defineBinding({ name: 'echo', input: Type.Object({ token: Type.String() }), handler: ({ token }) => token });
  // Every load client is the same anonymous principal: the quota must not be what is measured.
  const server = new Server({ runtime: () => createQuickJsRuntimeFactory({ sessionsPerModule: 64 }), bindings: [echo], maxSessionsPerPrincipal: options.sessions });
  const open = new Set<Transport>();
  let allClosed: (() => void) | undefined;
  const listener = await listenWebSocket({
    host: '127.0.0.1',
    port: 0,
    onConnection: (transport) => {
      open.add(transport);
      server.accept(transport);
      void transport.ended.then(() => {
        open.delete(transport);
        if (open.size === 0) allClosed?.();
      });
    },
  });
  const latencies: number[] = [];
  const counts = { lost: 0, duplicated: 0, mismatched: 0, reconnects: 0 };
  const failures: string[] = [];
  const timed = async <T>(run: () => Promise<T>): Promise<T> => {
    const start = performance.now();
    try {
      return await run();
    } finally {
      latencies.push(performance.now() - start);
    }
  };
  const check = (ok: boolean, kind: 'mismatched' | 'duplicated') => {
    if (!ok) counts[kind]++;
  };

  const clients = await Promise.all(
    Array.from({ length: options.sessions }, async (_, index) => {
      let transport: Transport | undefined;
      let resumed: (() => void) | undefined;
      const clientEcho = defineBinding({ name: 'clientEcho', input: Type.Object({ token: Type.String() }), handler: ({ token }) => token });
      const client = await Client.connect(
        async () => (transport = await connectWebSocket(listener.url, { keepAlive: false })),
        {
          bindings: [clientEcho],
          reconnect: { initialDelayMs: 1, jitter: 0, maxAttempts: 20 },
          onStateChange: (state: ClientState) => {
            if (state === 'resumed') resumed?.();
          },
        },
      );
      return {
        index,
        client,
        drop(): Promise<void> {
          const done = new Promise<void>((resolve) => (resumed = resolve));
          counts.reconnects++;
          transport?.close({ code: 4000, reason: 'load test: injected drop' });
          return done;
        },
      };
    }),
  );

  const heapAfterRound: number[] = [];
  const started = performance.now();
  for (let round = 0; round < options.rounds; round++) {
    await Promise.all(
      clients.map(async ({ index, client, drop }) => {
        const token = `s${index}-r${round}`;
        try {
          // A keyed eval; for some sessions the connection drops while it is in flight.
          const code = `n = (globalThis.n ?? 0) + 1; [${JSON.stringify(token)}, n]`;
          const key = `k-${token}`;
          const first = client.eval(code, { key });
          const dropped = index % dropEvery === round % dropEvery ? drop() : undefined;
          let value: unknown;
          try {
            value = await timed(() => first);
          } catch (error) {
            if (!(error instanceof DisconnectedError)) throw error;
          }
          await dropped;
          const again = await timed(() => client.eval(code, { key }));
          check(JSON.stringify(again) === JSON.stringify([token, round + 1]), 'duplicated');
          if (value !== undefined) check(JSON.stringify(value) === JSON.stringify(again), 'mismatched');
          // Client → server invoke.
          check((await timed(() => client.invoke('echo', { token }))) === token, 'mismatched');
          // Server → client call from evaluated code.
          check((await timed(() => client.eval(`await clientEcho({ token: ${JSON.stringify(token)} })`))) === token, 'mismatched');
          // A function reference, called and released.
          const fn = (await timed(() => client.eval(`(x) => x + ${JSON.stringify(token)}`))) as HostFunction;
          check((await timed(() => fn('>'))) === `>${token}`, 'mismatched');
          fn[Symbol.dispose]!();
        } catch (error) {
          counts.lost++;
          if (failures.length < 5) failures.push(`session ${index} round ${round}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
        }
      }),
    );
    gc?.();
    heapAfterRound.push(process.memoryUsage().heapUsed);
  }
  const elapsedMs = performance.now() - started;
  const closed = new Promise<void>((resolve) => (allClosed = resolve));
  for (const { client } of clients) client.close();
  if (open.size > 0) await closed;
  const stats = server.stats();
  await server.close();
  await listener.close();
  const sorted = latencies.sort((a, b) => a - b);
  return {
    sessions: options.sessions,
    rounds: options.rounds,
    operations: latencies.length,
    reconnects: counts.reconnects,
    lost: counts.lost,
    duplicated: counts.duplicated,
    mismatched: counts.mismatched,
    elapsedMs: Math.round(elapsedMs),
    throughputPerSecond: Math.round((latencies.length / elapsedMs) * 1000),
    p50Ms: Number(percentile(sorted, 50).toFixed(2)),
    p99Ms: Number(percentile(sorted, 99).toFixed(2)),
    heapAfterRound,
    failures,
    leftovers: { connections: stats.connections, attachedSessions: stats.attachedSessions, refs: stats.refs.exported + stats.refs.imported },
  };
}
