/** Benchmark 4: a server binding called from evaluated code, no wire, against a bare QuickJS host call. */
import type { Config } from './config.js';
import { bareQuickJs } from './floors.js';
import { goalAtMost, type Result } from './report.js';
import { paired } from './stats.js';
import { scompMemory } from './systems.js';
import { perCallInEval } from './wire.js';

export async function inProcessBenchmarks(config: Config): Promise<Result[]> {
  const scomp = await scompMemory();
  // The same on the calling thread: shows what the hop to a worker thread costs per call.
  const inline = await scompMemory('main');
  // On a worker thread again, with the tools defined in a module: the worker runs them itself.
  const modules = await scompMemory(undefined, true);
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
    const inModule = await paired(
      () => perCallInEval(modules.client, 'echo({ n: i })', n),
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
      {
        id: 'binding.in-eval.module',
        group: 'runtime',
        title: "server binding called inside an eval, defined in a module (runs on the guest's thread; no wire)",
        subject: { name: 'scomp module binding', unit: 'us/op', summary: inModule.subject, perRun: n },
        baseline: { name: 'bare quickjs-emscripten async host function', unit: 'us/op', summary: inModule.baseline, perRun: n },
        ratio: inModule.ratio,
        goal: goalAtMost(inModule.ratio, 2, 'the bare call'),
      },
    ];
  } finally {
    bare.dispose();
    await Promise.all([scomp.close(), inline.close(), modules.close()]);
  }
}
