// Session cost on QuickJS: time to create, idle memory per session, and memory across
// create/dispose cycles. Run after building: `pnpm build && pnpm bench` in this package.
// Uses --expose-gc (see package.json) so heap figures are taken after a full collection.
import { createQuickJsRuntimeFactory } from '../dist/index.js';

const SESSIONS = Number(process.env.SESSIONS ?? 1000);
const CYCLES = Number(process.env.CYCLES ?? 10_000);
const SESSIONS_PER_MODULE = Number(process.env.SESSIONS_PER_MODULE ?? 256);
// 'worker' (the default) or 'main'; worker threads' memory shows in RSS, not in the JS heap.
const RUN_IN = process.env.RUN_IN ?? 'worker';
const SESSIONS_PER_WORKER = Number(process.env.SESSIONS_PER_WORKER ?? 256);

const gc = globalThis.gc ?? (() => {});
const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
const mib = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

function measure(factory) {
  gc();
  const { heapUsed, external, arrayBuffers, rss } = process.memoryUsage();
  return { heap: heapUsed, external: external + arrayBuffers, rss, wasm: factory.stats().memoryBytes };
}

const factory = createQuickJsRuntimeFactory({ runIn: RUN_IN, sessionsPerModule: SESSIONS_PER_MODULE, sessionsPerWorker: SESSIONS_PER_WORKER });
// Warm up: the first instance compiles the WebAssembly module.
await (await factory.create({ sessionId: 'warm', bindings: [] })).dispose();

const base = measure(factory);
const runtimes = [];
const started = performance.now();
for (let i = 0; i < SESSIONS; i++) {
  runtimes.push(await factory.create({ sessionId: `s${i}`, bindings: [{ meta: { name: 'db.query', input: {} }, call: async () => 1 }] }));
}
const createMs = (performance.now() - started) / SESSIONS;
const idle = measure(factory);
// The prelude and bindings are installed on a session's first eval.
const firstEvalStart = performance.now();
for (const runtime of runtimes) await runtime.eval('const answer = 42; answer');
const firstEvalMs = (performance.now() - firstEvalStart) / SESSIONS;
const used = measure(factory);
const perSessionWasm = (idle.wasm - base.wasm) / SESSIONS;
const perSessionRss = (idle.rss - base.rss) / SESSIONS;
const perSessionHost = (idle.heap - base.heap) / SESSIONS;
const usedWasm = (used.wasm - base.wasm) / SESSIONS;
const usedRss = (used.rss - base.rss) / SESSIONS;
for (const runtime of runtimes) await runtime.dispose();
runtimes.length = 0;

async function cycles(label) {
  const start = performance.now();
  for (let i = 0; i < CYCLES; i++) {
    const runtime = await factory.create({ sessionId: `${label}${i}`, bindings: [] });
    if (i % 10 === 0) await runtime.eval('const x = [1, 2, 3].map((n) => n * 2); x');
    await runtime.dispose();
  }
  return (performance.now() - start) / CYCLES;
}
const beforeCycles = measure(factory);
const cycleMs = await cycles('a');
const afterCycles = measure(factory);
// A second round shows whether memory keeps growing or has settled.
await cycles('b');
const afterSecond = measure(factory);

console.log(`sessions: ${SESSIONS}, runIn: ${RUN_IN}, sessionsPerWorker: ${SESSIONS_PER_WORKER}, sessionsPerModule: ${SESSIONS_PER_MODULE}, node ${process.version}`);
console.log(`create: ${createMs.toFixed(3)} ms per session`);
console.log(`idle per session (created): ${kib(perSessionRss)} RSS (${kib(perSessionWasm)} WebAssembly linear memory, ${kib(perSessionHost)} JS heap)`);
console.log(`first eval: ${firstEvalMs.toFixed(3)} ms; idle per session after it: ${kib(usedRss)} RSS (${kib(usedWasm)} WebAssembly linear memory)`);
console.log(`${CYCLES} create/dispose cycles: ${cycleMs.toFixed(3)} ms each`);
console.log(
  `memory before → after cycles: JS heap ${mib(beforeCycles.heap)} → ${mib(afterCycles.heap)}, ` +
    `WebAssembly ${mib(beforeCycles.wasm)} → ${mib(afterCycles.wasm)}, RSS ${mib(beforeCycles.rss)} → ${mib(afterCycles.rss)}`,
);
console.log(
  `after ${CYCLES} more: JS heap ${mib(afterSecond.heap)}, WebAssembly ${mib(afterSecond.wasm)}, RSS ${mib(afterSecond.rss)}`,
);
console.log(`instances: ${JSON.stringify(factory.stats())}`);
await factory.close();
