/**
 * Runs the benchmark suite and prints a table; writes the figures, goals and machine facts as JSON.
 *
 *   pnpm bench                                   full run (results/latest.json)
 *   pnpm --filter @scomp/bench bench -- --smoke  a few calls of each, to prove the suite still works (results/smoke.json)
 *   options: --smoke (or BENCH_SMOKE=1), --out <file>, --only <group,...>
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { agentBenchmarks } from './agent.js';
import { explainBounds } from './bounds.js';
import { FULL, SMOKE, type Config } from './config.js';
import { floorBenchmarks } from './floors.js';
import { hopBenchmarks } from './hops.js';
import { inProcessBenchmarks } from './inProcess.js';
import { mcpBridgeBenchmarks } from './mcpBridge.js';
import { peerBenchmarks } from './peers.js';
import { machine, markdownTable, textTable, type Result } from './report.js';
import { sessionBenchmarks } from './sessions.js';
import { threadBenchmarks } from './threads.js';
import { wireBenchmarks } from './wire.js';

const suites: Record<string, (config: Config) => Promise<Result[]>> = {
  // First: the floors bound the goals of the suites after them.
  floors: floorBenchmarks,
  wire: wireBenchmarks,
  peers: peerBenchmarks,
  inProcess: inProcessBenchmarks,
  sessions: sessionBenchmarks,
  threads: threadBenchmarks,
  agent: agentBenchmarks,
  mcp: mcpBridgeBenchmarks,
  hops: hopBenchmarks,
};

function option(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index === -1 ? undefined : process.argv[index + 1];
}

async function main(): Promise<void> {
  const smoke = process.argv.includes('--smoke') || process.env.BENCH_SMOKE === '1';
  const config = smoke ? SMOKE : FULL;
  const only = option('--only')?.split(',');
  const out = resolve(option('--out') ?? fileURLToPath(new URL(`../results/${smoke ? 'smoke' : 'latest'}.json`, import.meta.url)));
  const started = Date.now();
  const results: Result[] = [];
  // A suite that fails is reported and the others still run: one broken row must not cost the figures.
  const failed: { suite: string; error: string }[] = [];
  for (const [name, suite] of Object.entries(suites)) {
    if (only && !only.includes(name)) continue;
    const suiteStart = Date.now();
    process.stderr.write(`running ${name}…\n`);
    try {
      results.push(...(await suite(config)));
    } catch (error) {
      failed.push({ suite: name, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
      process.stderr.write(`  ${name} FAILED: ${failed.at(-1)!.error}\n`);
    }
    process.stderr.write(`  ${name} took ${((Date.now() - suiteStart) / 1000).toFixed(1)} s\n`);
  }
  explainBounds(results);
  const goals = results.filter((r) => r.goal);
  const report = {
    date: new Date().toISOString(),
    mode: smoke ? 'smoke' : 'full',
    durationMs: Date.now() - started,
    machine: machine(),
    counts: config,
    goals: { met: goals.filter((r) => r.goal!.met).length, total: goals.length },
    failed,
    results,
    markdown: markdownTable(results),
  };
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(textTable(results));
  for (const r of results) if (r.note) console.log(`  ${r.title}: ${r.note}`);
  const missed = goals.filter((r) => !r.goal!.met);
  if (missed.length > 0) console.log('\ngoals NOT met, and what bounds them:');
  for (const r of missed) console.log(`  ${r.title} (${r.ratio?.toFixed(2) ?? r.subject.summary.median.toFixed(2)}${r.ratio === undefined ? ` ${r.subject.unit}` : 'x'}; ${r.goal!.text}): ${r.bound ?? 'no floor measured in this run explains it'}`);
  console.log(`\ngoals met: ${report.goals.met} of ${report.goals.total}; ${(report.durationMs / 1000).toFixed(0)} s; written to ${out}`);
  if (failed.length > 0) {
    console.log(`\nsuites that FAILED (their rows are missing): ${failed.map((f) => f.suite).join(', ')}`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
