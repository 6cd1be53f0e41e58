/**
 * For every goal not met, the measured floor that bounds it on this machine, so a reader of the
 * table sees at once whether the gap is scomp's own cost or the machine's.
 */
import { availableParallelism, loadavg } from 'node:os';
import type { Result } from './report.js';

const us = (value: number): string => `${value.toFixed(1)} us`;
const times = (value: number): string => `${value.toFixed(2)}x`;

/** Median of a row's subject, or undefined when the row did not run. */
function median(results: readonly Result[], id: string): number | undefined {
  return results.find((r) => r.id === id)?.subject.summary.median;
}

/**
 * A guest call that leaves its worker thread costs at least one thread round trip more than the
 * same work on one thread: the cheaper of a `postMessage` round trip and an `Atomics` wake.
 */
function hop(results: readonly Result[]): { micros: number; text: string } | undefined {
  const post = median(results, 'floor.post-message');
  const wake = median(results, 'floor.atomics-wait');
  if (post === undefined) return undefined;
  const text = `a thread round trip (postMessage ${us(post)}${wake === undefined ? '' : `, Atomics wake ${us(wake)}`})`;
  return { micros: wake === undefined ? post : Math.min(post, wake), text };
}

function boundFor(result: Result, results: readonly Result[]): string | undefined {
  const thread = hop(results);
  const baseline = result.baseline?.summary.median;
  if (result.id === 'binding.in-eval') {
    // The bare call measured in the same runs as this row, else the floors' own figure.
    const bare = baseline ?? median(results, 'floor.bare-host-call');
    const post = median(results, 'floor.post-message');
    const wake = median(results, 'floor.atomics-wait');
    const main = median(results, 'binding.in-eval.main-thread');
    if (post === undefined || bare === undefined) return undefined;
    // Each call crosses by postMessage: a worker cannot wait in Atomics for its answer while its
    // other sessions, timers and the eval's concurrent calls may need the thread.
    return (
      `floor: bare host call ${us(bare)} + postMessage round trip ${us(post)} (each call's hop to the calling thread and back) = ${times((bare + post) / bare)} the bare call at the least` +
      (wake === undefined ? '' : ` (an Atomics wake, ${us(wake)}, needs a worker that may block)`) +
      (main === undefined ? '' : `; the same binding on the main thread costs ${us(main)}, ${times(main / bare)}, so ${times((main + post) / bare)} with the hop`)
    );
  }
  if ((result.id === 'eval.rtt' || result.id === 'invoke.server-to-client') && thread && baseline !== undefined) {
    return `floor: the raw echo ${us(baseline)} + ${thread.text} to the guest's thread = ${times((baseline + thread.micros) / baseline)} the raw floor at the least`;
  }
  if (result.id === 'invoke.pipelined' && baseline !== undefined) {
    // With many calls in flight each end is busy all the time, so throughput is 1 / (the busier
    // end's time per call): the raw echo's time per message plus the peer's own work at that end.
    // The in-memory row is that work for both ends on one thread, with no wire.
    const peerBothEnds = median(results, 'peers.mcp.memory');
    if (peerBothEnds === undefined) return undefined;
    const rawPerOp = 1e6 / baseline;
    const bound = 1e6 / (rawPerOp + peerBothEnds / 2);
    return (
      `bound: the raw echo's ${us(rawPerOp)} per message + the peer's own work per invoke (${us(peerBothEnds)} for both ends over the in-memory pair, ` +
      `about half at each end) = at most ${bound.toFixed(0)} ops/s, ${times(bound / baseline)} the floor`
    );
  }
  if (result.id.startsWith('size.eval-result.')) {
    // wire.ts measures what a result goes through besides the raw echo's work, at the row's size;
    // the eval's fixed cost it adds already holds the thread round trip.
    if (result.bound) return result.bound;
    return thread ? `the result also crosses from the guest's thread (a copy, plus ${thread.text} per eval)` : undefined;
  }
  if (result.id === 'invoke.rtt' && baseline !== undefined) {
    // One invoke at a time: the raw round trip, then each end's own work on the message in turn.
    // The in-memory row is that work for both ends, with no wire.
    const peerBothEnds = median(results, 'peers.mcp.memory');
    if (peerBothEnds === undefined) return undefined;
    return (
      `floor: the raw echo ${us(baseline)} + the peer's own work for one invoke at both ends (${us(peerBothEnds)} over the in-memory pair) = ` +
      `${times((baseline + peerBothEnds) / baseline)} the raw floor`
    );
  }
  if (result.id.startsWith('agent.20-calls.')) {
    // The rows with module bindings are bounded by the calls that never leave the guest's thread.
    const callRow = result.id.endsWith('.module') ? 'binding.in-eval.module' : 'binding.in-eval';
    const perCall = median(results, callRow);
    if (perCall === undefined || baseline === undefined) return undefined;
    const calls = (20 * perCall) / 1000;
    const evalMs = result.floors?.evalMs;
    if (evalMs === undefined) {
      return `floor: 20 binding calls inside the eval alone take ${calls.toFixed(2)} ms (${callRow}) = ${times(calls / baseline)} MCP's time, before the eval's own round trip`;
    }
    // The eval's own round trip is the same code making no call, measured over the row's transport.
    return (
      `floor: the eval's own round trip ${evalMs.toFixed(2)} ms (the same code with no call) + 20 binding calls ${calls.toFixed(2)} ms (${callRow}) = ` +
      `${(evalMs + calls).toFixed(2)} ms, ${times((evalMs + calls) / baseline)} MCP's time`
    );
  }
  if (result.id === 'binding.in-eval.module') {
    const bare = baseline ?? median(results, 'floor.bare-host-call');
    const main = median(results, 'binding.in-eval.main-thread');
    if (bare === undefined || main === undefined) return undefined;
    return `floor: no hop; the same binding with runIn: 'main' costs ${us(main)}, ${times(main / bare)} the bare call (validation and the handler on top of the host call)`;
  }
  if (result.id === 'threads.64-sessions') {
    // The row measures the cores the process got; the machine's figures are the fallback.
    if (result.bound) return result.bound;
    const cores = availableParallelism();
    return `bound: ${cores} cores shared with everything else on the machine (load average ${loadavg()[0]!.toFixed(1)}); 2 threads gain at most min(2, idle cores)`;
  }
  return undefined;
}

/** Fills `bound` on every result whose goal was not met and whose floor was measured in this run. */
export function explainBounds(results: Result[]): void {
  for (const result of results) {
    if (!result.goal || result.goal.met) continue;
    const bound = boundFor(result, results);
    if (bound) result.bound = bound;
  }
}
