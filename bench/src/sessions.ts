/** Benchmark 6: session creation time, idle memory, and memory after many create/dispose cycles. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { nodeArgs } from './child.js';
import type { Config } from './config.js';
import { goalBelow, type Result } from './report.js';
import { summarize, type Summary } from './stats.js';

const MiB = 1024 * 1024;
const one = (value: number): Summary => summarize([value]);
const ms = (summary: Summary): string => `${summary.median.toFixed(2)} ms`;

export async function sessionBenchmarks(config: Config): Promise<Result[]> {
  const { create, idle, cycles } = config.sessions;
  const args = ['--expose-gc', ...nodeArgs('./sessionsChild.ts', String(create), String(idle), String(cycles), String(config.counts.runs))];
  const { stdout } = await promisify(execFile)(process.execPath, args, { timeout: 300_000, maxBuffer: MiB });
  const { created, firstEvalBurst, fresh, vm, held, cycled } = JSON.parse(stdout) as {
    created: Summary;
    firstEvalBurst: Summary;
    fresh: { connect: Summary; firstEval: Summary; ready: Summary; secondEval: Summary };
    vm: Summary;
    held: Record<string, number>;
    cycled: Record<string, number>;
  };
  return [
    {
      id: 'sessions.create',
      group: 'sessions',
      title: 'session creation: connect + handshake (the runtime is made meanwhile), in-memory',
      subject: { name: 'scomp session', unit: 'ms', summary: created, perRun: create },
      goal: goalBelow(created.median, 1, 'ms'),
    },
    {
      id: 'sessions.first-eval',
      group: 'sessions',
      title: 'a fresh session ready: connect + handshake + runtime + first eval of `1`, in-memory, arriving while the server is idle',
      subject: { name: 'scomp session', unit: 'ms', summary: fresh.ready, perRun: 1 },
      goal: goalBelow(fresh.ready.median, 1, 'ms'),
      note:
        `connect + handshake ${ms(fresh.connect)}, then first eval ${ms(fresh.firstEval)}; ` +
        `a second eval ${ms(fresh.secondEval)}; a VM with its prelude and bindings on the calling thread ${ms(vm)} (a worker thread makes it ahead)`,
      bound: `floor: connect + handshake ${ms(fresh.connect)} + an eval of \`1\` on a ready session ${ms(fresh.secondEval)} = ${(fresh.connect.median + fresh.secondEval.median).toFixed(2)} ms, with a VM that costs nothing`,
    },
    {
      id: 'sessions.first-eval-burst',
      group: 'sessions',
      title: 'fresh sessions back to back: connect + handshake + runtime + first eval of `1`, in-memory',
      subject: { name: 'scomp session', unit: 'ms', summary: firstEvalBurst, perRun: create },
      note: 'no pause for a thread to make a VM ahead: from the second session on, each first eval makes its VM and compiles the prelude',
    },
    {
      id: 'sessions.idle-memory',
      group: 'sessions',
      title: `idle session memory (RSS growth over ${idle} sessions)`,
      subject: { name: 'per session', unit: 'KiB', summary: one(held.rssPerSessionBytes! / 1024), perRun: idle },
      note: `JS heap + external per session ${(held.heapPerSessionBytes! / 1024).toFixed(0)} KiB; WebAssembly memory ${(held.wasmBytes! / MiB).toFixed(0)} MiB`,
    },
    {
      id: 'sessions.per-gib',
      group: 'sessions',
      title: 'idle sessions that fit in 1 GiB (JS heap + WebAssembly memory)',
      subject: { name: 'sessions', unit: 'sessions', summary: one(held.sessionsPerGiB!), perRun: idle },
    },
    {
      id: 'sessions.cycles',
      group: 'sessions',
      title: `RSS after ${cycled.cycles} create/eval/dispose cycles (before → after)`,
      subject: { name: 'RSS after', unit: 'MiB', summary: one(cycled.rssAfterBytes! / MiB) },
      baseline: { name: 'RSS before', unit: 'MiB', summary: one(cycled.rssBeforeBytes! / MiB) },
      ratio: cycled.rssAfterBytes! / cycled.rssBeforeBytes!,
      note:
        `JS heap + external ${(cycled.heapBeforeBytes! / MiB).toFixed(1)} → ${(cycled.heapAfterBytes! / MiB).toFixed(1)} MiB; ` +
        `WebAssembly ${(cycled.wasmBeforeBytes! / MiB).toFixed(0)} → ${(cycled.wasmAfterBytes! / MiB).toFixed(0)} MiB; ` +
        `${cycled.msPerCycle!.toFixed(2)} ms per cycle`,
    },
  ];
}
