/**
 * Session costs, measured in a process of their own (started with --expose-gc) so that nothing
 * else's garbage is counted. Prints one JSON object.
 */
import { Client, Server } from '@scomp/peer';
import { createMemoryTransportPair } from '@scomp/peer/testing';
import { createQuickJsRuntimeFactory, type QuickJsRuntimeFactory } from '@scomp/runtime-quickjs';
import { summarize, type Summary } from './stats.js';
import { bindings } from './services.js';

const [createCount, idleCount, cycleCount, runs] = process.argv.slice(2).map(Number) as [number, number, number, number];
const gc = (globalThis as { gc?: () => void }).gc!;

function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 20));
}

async function memory(): Promise<{ rss: number; heap: number }> {
  for (let i = 0; i < 3; i++) {
    await settle();
    gc();
  }
  const usage = process.memoryUsage();
  return { rss: usage.rss, heap: usage.heapUsed + usage.external };
}

function newServer(sessionIdleTimeoutMs?: number) {
  let runtime!: QuickJsRuntimeFactory;
  // Every session here belongs to the one anonymous principal, so its session quota is lifted. The
  // server owns the factory, so its close stops the worker threads; `runtime` is kept for stats.
  const server = new Server({
    runtime: () => (runtime = createQuickJsRuntimeFactory()),
    bindings,
    maxSessionsPerPrincipal: Number.POSITIVE_INFINITY,
    ...(sessionIdleTimeoutMs === undefined ? {} : { sessionIdleTimeoutMs }),
  });
  const connect = async (): Promise<Client> => {
    const [clientEnd, serverEnd] = createMemoryTransportPair();
    server.accept(serverEnd);
    return Client.connect(clientEnd);
  };
  return { runtime, server, connect };
}

/**
 * Milliseconds from connect to an answered handshake (the runtime is made on its thread meanwhile),
 * and, on a server of its own so that no creation left running from the first loop is counted,
 * from connect to the answer of a first eval of `1`, which waits for that runtime.
 */
async function creation(): Promise<{ created: Summary; firstEvalBurst: Summary }> {
  const created = await perSession(async (connect) => connect());
  const firstEvalBurst = await perSession(async (connect) => {
    const client = await connect();
    await client.eval('1');
    return client;
  });
  return { created, firstEvalBurst };
}

/** Pause before each session of `spaced`: longer than a worker thread waits before making its spare VM. */
const PAUSE_MS = 50;

/**
 * A fresh session that arrives while the server is idle, as sessions usually do: milliseconds from
 * connect to the answered handshake, from there to the answer of a first eval of `1`, and of a
 * second eval of `1` (what any eval costs on this path). Sessions come one at a time, each after
 * a pause that is not counted, so the thread has its VM made ahead when the session arrives.
 */
async function spaced(): Promise<{ connect: Summary; firstEval: Summary; ready: Summary; secondEval: Summary }> {
  const { server, connect } = newServer();
  const samples = { connect: [] as number[], firstEval: [] as number[], ready: [] as number[], secondEval: [] as number[] };
  const clients: Client[] = [];
  for (let i = -1; i < createCount; i++) {
    await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
    const start = process.hrtime.bigint();
    const client = await connect();
    const connected = process.hrtime.bigint();
    await client.eval('1');
    const evaluated = process.hrtime.bigint();
    await client.eval('1');
    const again = process.hrtime.bigint();
    clients.push(client);
    if (i < 0) continue;
    samples.connect.push(Number(connected - start) / 1e6);
    samples.firstEval.push(Number(evaluated - connected) / 1e6);
    samples.ready.push(Number(evaluated - start) / 1e6);
    samples.secondEval.push(Number(again - evaluated) / 1e6);
  }
  for (const client of clients) client.close();
  await server.close();
  return { connect: summarize(samples.connect), firstEval: summarize(samples.firstEval), ready: summarize(samples.ready), secondEval: summarize(samples.secondEval) };
}

/**
 * What a VM costs on the calling thread, with no thread hop: milliseconds of a session's creation
 * plus its first eval of `1` (QuickJS runtime and context, the prelude compiled and run, the
 * bindings installed) less a second eval of `1`.
 */
async function vmCost(): Promise<Summary> {
  const factory = createQuickJsRuntimeFactory({ runIn: 'main' });
  const samples: number[] = [];
  for (let i = -5; i < createCount; i++) {
    const start = process.hrtime.bigint();
    const runtime = await factory.create({ sessionId: `vm-${i}`, bindings: [] });
    await runtime.eval('1');
    const first = process.hrtime.bigint();
    await runtime.eval('1');
    const second = process.hrtime.bigint();
    await runtime.dispose();
    if (i >= 0) samples.push(Number(first - start - (second - first)) / 1e6);
  }
  await factory.close();
  return summarize(samples);
}

/** Milliseconds per session of `open`, run for `createCount` sessions one after another. */
async function perSession(open: (connect: () => Promise<Client>) => Promise<Client>): Promise<Summary> {
  const { server, connect } = newServer();
  const samples: number[] = [];
  for (let run = -1; run < runs; run++) {
    const clients: Client[] = [];
    const start = process.hrtime.bigint();
    for (let i = 0; i < createCount; i++) clients.push(await open(connect));
    if (run >= 0) samples.push(Number(process.hrtime.bigint() - start) / 1e6 / createCount);
    for (const client of clients) client.close();
  }
  await server.close();
  return summarize(samples);
}

/** Memory held by detached sessions that have each run one eval. */
async function idle(): Promise<Record<string, number>> {
  const { runtime, server, connect } = newServer();
  // One session first, so the WebAssembly module and code paths are loaded before the baseline. Its
  // eval waits for the session to exist on its thread: a connect alone returns before the thread
  // has made it (and before a first thread has booted), which would count that boot as growth.
  const first = await connect();
  await first.eval('1');
  first.close();
  const before = await memory();
  for (let i = 0; i < idleCount; i++) {
    const client = await connect();
    await client.eval('1');
    client.close();
  }
  const after = await memory();
  const stats = runtime.stats();
  await server.close();
  const rssPerSession = (after.rss - before.rss) / idleCount;
  const heapPerSession = (after.heap - before.heap) / idleCount;
  return {
    rssPerSessionBytes: rssPerSession,
    heapPerSessionBytes: heapPerSession,
    wasmBytes: stats.memoryBytes,
    // JS heap plus external memory (which holds the WebAssembly memory) or RSS, whichever is larger.
    sessionsPerGiB: Math.floor((1024 * 1024 * 1024) / Math.max(rssPerSession, heapPerSession)),
  };
}

/** Memory before and after many connect / eval / close cycles whose sessions expire at once. */
async function cycles(): Promise<Record<string, number>> {
  const { runtime, server, connect } = newServer(0);
  const cycle = async (): Promise<void> => {
    const client = await connect();
    await client.eval('1');
    client.close();
    // The detached session is disposed by a timer: let it fire, so each cycle ends with none alive.
    while (server.stats().sessions > 0) await new Promise((resolve) => setTimeout(resolve, 0));
  };
  for (let i = 0; i < Math.min(200, cycleCount); i++) await cycle();
  const before = { ...(await memory()), wasm: runtime.stats().memoryBytes };
  const start = process.hrtime.bigint();
  for (let i = 0; i < cycleCount; i++) await cycle();
  const msPerCycle = Number(process.hrtime.bigint() - start) / 1e6 / cycleCount;
  while (server.stats().sessions > 0) await settle();
  const after = await memory();
  const wasmAfter = runtime.stats().memoryBytes;
  const connections = server.stats().connections;
  await server.close();
  return {
    cycles: cycleCount,
    wasmBeforeBytes: before.wasm,
    wasmAfterBytes: wasmAfter,
    connectionsAfter: connections,
    msPerCycle,
    rssBeforeBytes: before.rss,
    rssAfterBytes: after.rss,
    heapBeforeBytes: before.heap,
    heapAfterBytes: after.heap,
  };
}

const { created, firstEvalBurst } = await creation();
const fresh = await spaced();
const vm = await vmCost();
const held = await idle();
const cycled = await cycles();
process.stdout.write(`${JSON.stringify({ created, firstEvalBurst, fresh, vm, held, cycled })}\n`);
