/** Evals from many sessions at once, with guest code on one worker thread and on two. */
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Runtime } from '@scomp/peer';
import { createQuickJsRuntimeFactory, type QuickJsRuntimeFactory } from '@scomp/runtime-quickjs';
import type { Config } from './config.js';
import { goalAtLeast, type Result } from './report.js';
import { median, paired } from './stats.js';

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

/** What one run got from the machine: CPU of the whole process in cores, and the main thread's busy time per eval. */
interface Usage {
  cores: number[];
  mainUsPerEval: number[];
}

/**
 * Evals per second: every session runs `evals` CPU-bound evals one after another, all sessions at
 * once. Records in `usage` how many cores the process got meanwhile (CPU time of all its threads
 * over wall time) and how long the main thread, which sends every eval and receives every result,
 * was busy per eval: these say whether the cores or the main thread bound the run.
 */
async function evalsPerSecond({ runtimes }: Sessions, evals: number, loop: number, usage: Usage): Promise<number> {
  const code = `let s = 0; for (let i = 0; i < ${loop}; i++) s = (s + i * i) % 1000003; s`;
  const cpu = process.cpuUsage();
  const loopBefore = performance.eventLoopUtilization();
  const start = process.hrtime.bigint();
  await Promise.all(
    runtimes.map(async (runtime) => {
      for (let i = 0; i < evals; i++) await runtime.eval(code);
    }),
  );
  const wallUs = Number(process.hrtime.bigint() - start) / 1000;
  const used = process.cpuUsage(cpu);
  const mainLoop = performance.eventLoopUtilization(loopBefore);
  const count = runtimes.length * evals;
  usage.cores.push((used.user + used.system) / wallUs);
  usage.mainUsPerEval.push((mainLoop.active * 1000) / count);
  return count / (wallUs / 1e6);
}

export async function threadBenchmarks(config: Config): Promise<Result[]> {
  const { sessions, evalsPerSession, loop } = config.threads;
  const one = await open(1, sessions);
  const two = await open(2, sessions);
  try {
    const usageTwo: Usage = { cores: [], mainUsPerEval: [] };
    const usageOne: Usage = { cores: [], mainUsPerEval: [] };
    const result = await paired(
      () => evalsPerSecond(two, evalsPerSession, loop, usageTwo),
      () => evalsPerSecond(one, evalsPerSession, loop, usageOne),
      config.counts,
    );
    const coresTwo = median(usageTwo.cores);
    const coresOne = median(usageOne.cores);
    const mainTwo = median(usageTwo.mainUsPerEval);
    const goal = goalAtLeast(result.ratio, 1.7, '1 thread');
    const usage =
      `the process got ${coresTwo.toFixed(2)} cores with 2 threads and ${coresOne.toFixed(2)} with 1 ` +
      `(CPU time of all its threads over wall time); the main thread, which sends every eval and receives every result, ` +
      `was busy ${mainTwo.toFixed(0)} us per eval with 2 threads (${median(usageOne.mainUsPerEval).toFixed(0)} us with 1)`;
    return [
      {
        id: 'threads.64-sessions',
        group: 'threads',
        title: `evals from ${sessions} sessions at once, on 2 worker threads vs 1`,
        subject: { name: '2 threads', unit: 'ops/s', summary: result.subject, perRun: sessions * evalsPerSession },
        baseline: { name: '1 thread', unit: 'ops/s', summary: result.baseline, perRun: sessions * evalsPerSession },
        ratio: result.ratio,
        goal,
        note: `${availableParallelism()} cores on this machine; each eval is a CPU-bound loop of ${loop} steps; ${usage}`,
        ...(goal.met
          ? {}
          : {
              bound:
                `bound: the cores the process got, ${coresTwo.toFixed(2)} with 2 threads against ${coresOne.toFixed(2)} with 1 ` +
                `(at most ${(coresTwo / coresOne).toFixed(2)}x; load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores); ` +
                `the main thread is busy ${mainTwo.toFixed(0)} us per eval, ${((mainTwo * result.subject.median) / 1e4).toFixed(0)}% of the run's wall time`,
            }),
      },
    ];
  } finally {
    for (const { factory, runtimes } of [one, two]) {
      await Promise.all(runtimes.map(async (runtime) => runtime.dispose()));
      await factory.close();
    }
  }
}
