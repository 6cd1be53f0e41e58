import Type from 'typebox';
import { Client, Server, UnauthorizedError, defineBinding } from '@scomp/peer';
import { spawnProcess } from '@scomp/transport-stdio/process';
import { createQuickJsRuntimeFactory } from '@scomp/runtime-quickjs';
import { connectWebSocket, listenWebSocket } from '@scomp/transport-ws/node';

export interface NeighbourLoadOptions {
  /** `1 + 1` evals the neighbour times in each phase. @default 50 */
  samples?: number;
  /**
   * Hostile sessions in the "several" phase, each doing one of: loop, allocate, console flood,
   * unanswered invokes. With the default four threads of a 2-core machine, a fourth one shares the
   * neighbour's thread. @default 4
   */
  hostileSessions?: number;
  /** Hostile handshakes sent at once in the handshake phase. @default 3 */
  hostileHandshakes?: number;
  /** CPU time one eval may use: how long each hostile loop holds its thread. @default 2000 */
  evalTimeoutMs?: number;
  /** Largest message the server accepts; hostile handshakes are this large. @default 16777216 */
  maxMessageBytes?: number;
  /** Worker threads; the runtime's default when absent. */
  workerThreads?: number;
}

export interface PhaseReport {
  phase: string;
  samples: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Neighbour evals that failed or answered wrongly. */
  failed: number;
  /** The first few failures, for diagnosis. */
  failures: string[];
}

export interface NeighbourLoadReport {
  phases: PhaseReport[];
  /** Hostile handshakes the server answered (with an error) or closed. */
  handshakes: { refused: number };
  /** The first few faults the server reported (with their causes), for diagnosis. */
  faults: string[];
}

/** What a hostile session does, over and over, while the neighbour is timed. */
const HOSTILE_CODE = {
  loop: 'for (;;) {}',
  allocate: 'const hoard = []; for (;;) hoard.push("x".repeat(1e5) + hoard.length)',
  console: 'for (;;) console.log("L".repeat(1e4))',
  // Twice the server's default cap of unanswered invokes, then waits on the ones that went out.
  invokes: 'for (let i = 0; i < 2048; i++) never({}).catch(() => {}); await new Promise(() => {})',
} as const;
type HostileKind = keyof typeof HOSTILE_CODE;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * A neighbour session's `1 + 1` latency while other sessions run hostile code (endless loops,
 * allocation bombs, console floods, server→client invokes that are never answered) and while
 * hostile handshakes of the maximum message size arrive. Everything runs on loopback in this
 * process; the server is the library's, with the QuickJS runtime on worker threads.
 */
export async function runNeighbourLoad(options: NeighbourLoadOptions = {}): Promise<NeighbourLoadReport> {
  const samples = options.samples ?? 50;
  const maxMessageBytes = options.maxMessageBytes ?? 16 * 1024 * 1024;
  const runtime = createQuickJsRuntimeFactory({
    limits: { evalTimeoutMs: options.evalTimeoutMs ?? 2_000, memoryBytes: 32 * 1024 * 1024 },
    ...(options.workerThreads !== undefined ? { workerThreads: options.workerThreads } : {}),
  });
  const faults: string[] = [];
  const server = new Server({
    runtime,
    onFault: (error) => {
      if (faults.length >= 5) return;
      const cause = error instanceof Error && error.cause instanceof Error ? ` (cause: ${error.cause.stack ?? error.cause.message})` : '';
      faults.push(error instanceof Error ? `${error.name}: ${error.message}${cause}` : String(error));
    },
    maxMessageBytes,
    // A phase's hostile sessions go when their clients close, so the next phase starts from the neighbour alone.
    sessionIdleTimeoutMs: 0,
    // Hostile handshakes carry no token: they are refused, as on a server that authenticates.
    authenticate: (metadata) => {
      if (metadata.token !== 'load') throw new UnauthorizedError('missing or wrong token');
      return { id: 'load' };
    },
  });
  const listener = await listenWebSocket({ host: '127.0.0.1', port: 0, maxMessageBytes, onConnection: (transport) => server.accept(transport) });
  const connect = (bindings: Parameters<typeof Client.connect>[1] = {}) =>
    Client.connect(() => connectWebSocket(listener.url, { keepAlive: false, maxMessageBytes }), { metadata: { token: 'load' }, ...bindings });

  const phases: PhaseReport[] = [];
  const neighbour = await connect();
  await neighbour.eval('globalThis.kept = 1');
  const time = async (phase: string) => {
    const latencies: number[] = [];
    let failed = 0;
    const failures: string[] = [];
    for (let i = 0; i < samples; i++) {
      const start = performance.now();
      let failure: string | undefined;
      try {
        const answer = await neighbour.eval('kept + 1');
        if (answer !== 2) failure = `answered ${JSON.stringify(answer)}`;
      } catch (error) {
        const cause = error instanceof Error && error.cause instanceof Error ? ` (cause: ${error.cause.message})` : '';
        failure = error instanceof Error ? `${error.name}: ${error.message}${cause}` : String(error);
      }
      if (failure !== undefined) {
        failed++;
        if (failures.length < 3) failures.push(failure);
      }
      latencies.push(performance.now() - start);
    }
    const sorted = latencies.sort((a, b) => a - b);
    phases.push({
      phase,
      samples,
      p50Ms: Number(percentile(sorted, 50).toFixed(2)),
      p99Ms: Number(percentile(sorted, 99).toFixed(2)),
      maxMs: Number(sorted.at(-1)!.toFixed(2)),
      failed,
      failures,
    });
  };

  /** Starts hostile sessions that repeat their code until stopped. */
  const hostile = async (kinds: HostileKind[]) => {
    let stopping = false;
    const sessions: { client: Client; running: Promise<void> }[] = [];
    // One after another, so each lands where placement puts the next session: with more hostile
    // sessions than free threads, the last ones share a thread with the neighbour.
    for (const kind of kinds) {
      const never = defineBinding({ name: 'never', input: Type.Unknown(), handler: () => new Promise<never>(() => {}) });
      const drop = defineBinding({ name: 'console', input: Type.Unknown(), handler: () => undefined });
      const client = await connect({ bindings: [never, drop] });
      const running = (async () => {
        while (!stopping) await client.eval(HOSTILE_CODE[kind]).catch(() => undefined);
      })();
      sessions.push({ client, running });
    }
    return async () => {
      stopping = true;
      for (const { client } of sessions) client.close();
      await Promise.all(sessions.map(({ running }) => running));
      // A closed client's eval runs on to its limit; the next phase starts once the runtime let go of
      // these sessions, so their threads are free again and the phase measures what it says.
      const placed = () => runtime.placement().reduce((sum, sessions) => sum + sessions, 0);
      while (server.stats().sessions > 1 || placed() > 1) await new Promise((resolve) => setTimeout(resolve, 10));
    };
  };

  await time('alone');
  let stop = await hostile(['loop']);
  await time('one session loops');
  await stop();
  const several = options.hostileSessions ?? 4;
  const kinds = Array.from({ length: several }, (_, i) => (['loop', 'allocate', 'console', 'invokes'] as const)[i % 4]!);
  stop = await hostile(kinds);
  await time(`${several} hostile sessions (${kinds.join(', ')})`);
  await stop();

  const parallel = options.hostileHandshakes ?? 3;
  const flood = await handshakeFlood(listener.url, parallel, maxMessageBytes);
  // Timed once the server is busy with them, not while the first ones are still on their way.
  await flood.refused(1);
  await time(`${parallel} hostile handshakes at a time, ${(maxMessageBytes / 1024 / 1024).toFixed(1)} MiB each, from another process`);
  await flood.refused(parallel);
  const refused = await flood.stop();

  neighbour.close();
  await server.close();
  await runtime.close();
  await listener.close();
  return { phases, handshakes: { refused }, faults };
}

/**
 * Starts the process that sends hostile handshakes. `refused(count)` waits until the server has
 * refused that many; `stop()` stops the process and says how many it refused.
 */
async function handshakeFlood(url: string, parallel: number, maxBytes: number) {
  const script = new URL('./handshakeFlood.ts', import.meta.url).pathname;
  const child = spawnProcess(process.execPath, ['--conditions=@scomp/source', '--import', 'tsx', script, url, String(parallel), String(maxBytes)], {
    stdin: 'ignore',
    stderr: 'inherit',
  });
  const counted = () => child.stdout.split('\n').filter((line) => line === 'refused').length;
  await child.nextLine('stdout', (line) => line === 'ready');
  let seen = 0;
  return {
    async refused(count: number): Promise<void> {
      // Each awaited line is one more refusal; an exit of the flood ends the wait with its output.
      for (; seen < count; seen++) await child.nextLine('stdout', (line) => line === 'refused');
    },
    async stop(): Promise<number> {
      await child[Symbol.asyncDispose]();
      return counted();
    },
  };
}
