/** Benchmark 4: a server binding called from evaluated code, no wire, against a bare QuickJS host call. */
import releaseVariant from '@jitl/quickjs-wasmfile-release-sync';
import { newQuickJSWASMModuleFromVariant, type QuickJSHandle, type QuickJSSyncVariant } from 'quickjs-emscripten-core';
import type { Config } from './config.js';
import { goalAtMost, type Result } from './report.js';
import { paired } from './stats.js';
import { scompMemory } from './systems.js';
import { perCallInEval } from './wire.js';

/**
 * The floor: quickjs-emscripten with one async host function `f(args)` that converts its argument
 * to a host value, answers on a host microtask with a new guest object, and runs the guest's jobs.
 * Returns microseconds per call of `for (…) await f({ n: i })`, less the same loop without calls.
 */
async function bareQuickJs(): Promise<{ perCall(n: number): Promise<number>; dispose(): void }> {
  const module = await newQuickJSWASMModuleFromVariant(releaseVariant as unknown as QuickJSSyncVariant);
  const runtime = module.newRuntime();
  const context = runtime.newContext();
  const f = context.newFunction('f', (arg) => {
    const args = context.dump(arg) as { n: number };
    const deferred = context.newPromise();
    void Promise.resolve().then(() => {
      const value = context.newObject();
      const n = context.newNumber(args.n);
      context.setProp(value, 'n', n);
      n.dispose();
      deferred.resolve(value);
      value.dispose();
      deferred.dispose();
      runtime.executePendingJobs();
    });
    return deferred.handle;
  });
  context.setProp(context.global, 'f', f);
  f.dispose();
  const run = async (count: number): Promise<number> => {
    const start = process.hrtime.bigint();
    const promise: QuickJSHandle = context.unwrapResult(
      context.evalCode(`(async () => { for (let i = 0; i < ${count}; i++) await f({ n: i }); return 0; })()`),
    );
    const settling = context.resolvePromise(promise);
    runtime.executePendingJobs();
    const settled = await settling;
    promise.dispose();
    context.unwrapResult(settled).dispose();
    return Number(process.hrtime.bigint() - start);
  };
  return {
    perCall: async (n) => Math.max(0, (await run(n)) - (await run(0))) / 1000 / n,
    dispose: () => {
      context.dispose();
      runtime.dispose();
    },
  };
}

export async function inProcessBenchmarks(config: Config): Promise<Result[]> {
  const scomp = await scompMemory();
  // The same on the calling thread: shows what the hop to a worker thread costs per call.
  const inline = await scompMemory('main');
  const bare = await bareQuickJs();
  try {
    const n = config.callsPerEval;
    const result = await paired(
      () => perCallInEval(scomp.client, 'echo({ n: i })', n),
      () => bare.perCall(n),
      config.counts,
    );
    const onMain = await paired(
      () => perCallInEval(inline.client, 'echo({ n: i })', n),
      () => bare.perCall(n),
      config.counts,
    );
    return [
      {
        id: 'binding.in-eval',
        group: 'runtime',
        title: 'server binding called inside an eval (no wire)',
        subject: { name: 'scomp binding', unit: 'us/op', summary: result.subject, perRun: n },
        baseline: { name: 'bare quickjs-emscripten async host function', unit: 'us/op', summary: result.baseline, perRun: n },
        ratio: result.ratio,
        goal: goalAtMost(result.ratio, 2, 'the bare call'),
      },
      {
        id: 'binding.in-eval.main-thread',
        group: 'runtime',
        title: "server binding called inside an eval, runIn: 'main' (no wire)",
        subject: { name: 'scomp binding', unit: 'us/op', summary: onMain.subject, perRun: n },
        baseline: { name: 'bare quickjs-emscripten async host function', unit: 'us/op', summary: onMain.baseline, perRun: n },
        ratio: onMain.ratio,
      },
    ];
  } finally {
    bare.dispose();
    await Promise.all([scomp.close(), inline.close()]);
  }
}
