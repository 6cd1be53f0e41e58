import { runLoad } from './loadTest.js';
import { runNeighbourLoad } from './neighbourLoad.js';

/**
 * The full load test, separate from the unit suite: `pnpm load` at the root. Loopback only.
 * SCOMP_LOAD_SESSIONS and SCOMP_LOAD_ROUNDS change its size.
 */
const sessions = Number(process.env.SCOMP_LOAD_SESSIONS ?? 200);
const rounds = Number(process.env.SCOMP_LOAD_ROUNDS ?? 10);
const report = await runLoad({ sessions, rounds });
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
console.log(`sessions ${report.sessions}, rounds ${report.rounds}, operations ${report.operations}, injected drops ${report.reconnects}`);
console.log(`throughput ${report.throughputPerSecond} ops/s, p50 ${report.p50Ms} ms, p99 ${report.p99Ms} ms, elapsed ${report.elapsedMs} ms`);
console.log(`lost ${report.lost}, duplicated ${report.duplicated}, mismatched ${report.mismatched}`);
console.log(`heap after each round: ${report.heapAfterRound.map(mib).join(', ')}`);
for (const failure of report.failures) console.log(`failed: ${failure}`);
console.log(`server leftovers: ${JSON.stringify(report.leftovers)}`);

// A neighbour's latency while other sessions, and then handshakes, are hostile.
const hostile = await runNeighbourLoad({ samples: Number(process.env.SCOMP_LOAD_NEIGHBOUR_SAMPLES ?? 50) });
console.log('neighbour `1 + 1` latency:');
for (const phase of hostile.phases) {
  console.log(`  ${phase.phase}: p50 ${phase.p50Ms} ms, p99 ${phase.p99Ms} ms, max ${phase.maxMs} ms, failed ${phase.failed}/${phase.samples}`);
  for (const failure of phase.failures) console.log(`    failed: ${failure}`);
}
console.log(`hostile handshakes refused: ${hostile.handshakes.refused}`);
for (const fault of hostile.faults) console.log(`server fault: ${fault}`);
// Goals, reported rather than enforced: they depend on the machine and its load.
const loops = hostile.phases.filter((phase) => /loop|hostile sessions/.test(phase.phase));
const handshakes = hostile.phases.filter((phase) => /handshakes/.test(phase.phase));
console.log(`goal: neighbour answered within 1000 ms beside hostile sessions: ${loops.every((phase) => phase.maxMs <= 1000) ? 'met' : 'missed'}`);
console.log(`goal: neighbour waits at most 100 ms for hostile handshakes: ${handshakes.every((phase) => phase.maxMs <= 100) ? 'met' : 'missed'}`);

const failures: string[] = [];
if (hostile.phases.some((phase) => phase.failed > 0)) failures.push('a neighbour eval failed beside hostile sessions');
if (report.lost + report.duplicated + report.mismatched > 0) failures.push('lost, duplicated or mismatched answers');
if (report.leftovers.connections + report.leftovers.attachedSessions + report.leftovers.refs > 0) failures.push('server leftovers');
// After warm-up (round 2), the heap must not keep growing: allow 25% for GC timing noise.
const settled = report.heapAfterRound[Math.min(1, report.heapAfterRound.length - 1)]!;
const last = report.heapAfterRound.at(-1)!;
if (report.heapAfterRound.length > 2 && last > settled * 1.25) failures.push(`heap grew from ${mib(settled)} to ${mib(last)}`);
if (failures.length > 0) {
  console.error(`load test FAILED: ${failures.join('; ')}`);
  process.exit(1);
}
console.log('load test passed');
process.exit(0);
