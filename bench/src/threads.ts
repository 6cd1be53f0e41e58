/** Evals from many sessions at once, with guest code on one worker thread and on two. */
import { availableParallelism } from 'node:os';
import type { Runtime } from '@scomp/peer';
import { createQuickJsRuntimeFactory, type QuickJsRuntimeFactory } from '@scomp/runtime-quickjs';
import type { Config } from './config.js';
import { goalAtLeast, type Result } from './report.js';
import { paired } from './stats.js';

interface Sessions {
  factory: QuickJsRuntimeFactory;
  runtimes: Runtime[];
}

/** Sessions spread by the factory over `threads` worker threads (`workerThreads`). */
async function open(threads: number, sessions: number): Promise<Sessions> {
  const factory = createQuickJsRuntimeFactory({ workerThreads: threads });
  const runtimes: Runtime[] = [];
  for (let i = 0; i < sessions; i++) runtimes.push(await factory.create({ sessionId: `t${threads}s${i}`, bindings: [] }));
  // An empty spare thread may be kept ready; what counts is the threads holding sessions.
  const used = factory.placement().filter((count) => count > 0).length;
  if (used !== threads) throw new Error(`expected sessions on ${threads} threads, found them on ${used}`);
  return { factory, runtimes };
}

/** Evals per second: every session runs `evals` CPU-bound evals one after another, all sessions at once. */
async function evalsPerSecond({ runtimes }: Sessions, evals: number, loop: number): Promise<number> {
  const code = `let s = 0; for (let i = 0; i < ${loop}; i++) s = (s + i * i) % 1000003; s`;
  const start = process.hrtime.bigint();
  await Promise.all(
    runtimes.map(async (runtime) => {
      for (let i = 0; i < evals; i++) await runtime.eval(code);
    }),
  );
  return (runtimes.length * evals) / (Number(process.hrtime.bigint() - start) / 1e9);
}

export async function threadBenchmarks(config: Config): Promise<Result[]> {
  const { sessions, evalsPerSession, loop } = config.threads;
  const one = await open(1, sessions);
  const two = await open(2, sessions);
  try {
    const result = await paired(
      () => evalsPerSecond(two, evalsPerSession, loop),
      () => evalsPerSecond(one, evalsPerSession, loop),
      config.counts,
    );
    return [
      {
        id: 'threads.64-sessions',
        group: 'threads',
        title: `evals from ${sessions} sessions at once, on 2 worker threads vs 1`,
        subject: { name: '2 threads', unit: 'ops/s', summary: result.subject, perRun: sessions * evalsPerSession },
        baseline: { name: '1 thread', unit: 'ops/s', summary: result.baseline, perRun: sessions * evalsPerSession },
        ratio: result.ratio,
        goal: goalAtLeast(result.ratio, 1.7, '1 thread'),
        note: `${availableParallelism()} cores on this machine; each eval is a CPU-bound loop of ${loop} steps`,
      },
    ];
  } finally {
    for (const { factory, runtimes } of [one, two]) {
      await Promise.all(runtimes.map(async (runtime) => runtime.dispose()));
      await factory.close();
    }
  }
}
