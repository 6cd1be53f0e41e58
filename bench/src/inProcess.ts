/** Benchmark 4: a server binding called from evaluated code, no wire, against a bare QuickJS host call. */
import type { Config } from './config.js';
import { bareQuickJs } from './floors.js';
import { goalAtMost, type Result } from './report.js';
import { paired } from './stats.js';
import { scompMemory, type ScompSystem } from './systems.js';
import { perCallInEval } from './wire.js';

interface Row {
  id: string;
  title: string;
  subject: string;
  system: ScompSystem;
  /** Whether the row carries the goal (at most 2× the bare call). */
  goal: boolean;
}

export async function inProcessBenchmarks(config: Config): Promise<Result[]> {
  const scomp = await scompMemory();
  // The same on the calling thread: shows what the hop to a worker thread costs per call.
  const inline = await scompMemory('main');
  // On a worker thread again, with the tools defined in a module: the worker runs them itself.
  const modules = await scompMemory(undefined, true);
  const bare = await bareQuickJs();
  const rows: Row[] = [
    { id: 'binding.in-eval', title: 'server binding called inside an eval (no wire)', subject: 'scomp binding', system: scomp, goal: true },
    {
      id: 'binding.in-eval.main-thread',
      title: "server binding called inside an eval, runIn: 'main' (no wire)",
      subject: 'scomp binding',
      system: inline,
      goal: false,
    },
    {
      id: 'binding.in-eval.module',
      title: "server binding called inside an eval, defined in a module (runs on the guest's thread; no wire)",
      subject: 'scomp module binding',
      system: modules,
      goal: true,
    },
  ];
  try {
    const n = config.callsPerEval;
    const results: Result[] = [];
    for (const row of rows) {
      const result = await paired(
        () => perCallInEval(row.system.client, 'echo({ n: i })', n),
        () => bare.perCall(n),
        config.counts,
      );
      results.push({
        id: row.id,
        group: 'runtime',
        title: row.title,
        subject: { name: row.subject, unit: 'us/op', summary: result.subject, perRun: n },
        baseline: { name: 'bare quickjs-emscripten async host function', unit: 'us/op', summary: result.baseline, perRun: n },
        ratio: result.ratio,
        ...(row.goal ? { goal: goalAtMost(result.ratio, 2, 'the bare call') } : {}),
      });
    }
    return results;
  } finally {
    bare.dispose();
    await Promise.all([scomp.close(), inline.close(), modules.close()]);
  }
}
