import { describe, expect, it } from 'vitest';
import { explainBounds } from '../src/bounds.js';
import { summarize } from '../src/stats.js';
import type { Result } from '../src/report.js';

const row = (id: string, median: number, extra: Partial<Result> = {}): Result => ({
  id,
  group: 'test',
  title: id,
  subject: { name: id, unit: 'us/op', summary: summarize([median]) },
  ...extra,
});

describe('goal bounds', () => {
  it('names the postMessage round trip each call makes and the bare call that bound an in-eval binding call', () => {
    const results = [
      row('floor.post-message', 40),
      row('floor.atomics-wait', 10),
      row('binding.in-eval.main-thread', 30),
      row('binding.in-eval', 150, {
        baseline: { name: 'bare', unit: 'us/op', summary: summarize([10]) },
        ratio: 15,
        goal: { text: '<= 2x the bare call', met: false },
      }),
    ];
    explainBounds(results);
    // 10 us bare + the postMessage round trip each call makes (40 us) = 5x the bare call; the main
    // thread's 30 us plus that round trip = 7x.
    expect(results[3]!.bound).toBe(
      "floor: bare host call 10.0 us + postMessage round trip 40.0 us (each call's hop to the calling thread and back) = 5.00x the bare call at the least" +
        ' (an Atomics wake, 10.0 us, needs a worker that may block); the same binding on the main thread costs 30.0 us, 3.00x, so 7.00x with the hop',
    );
  });

  it('leaves met goals and goals without a measured floor alone', () => {
    const results = [
      row('eval.rtt', 100, { baseline: { name: 'raw', unit: 'us/op', summary: summarize([80]) }, ratio: 1.25, goal: { text: '<= 1.5x the floor', met: true } }),
      row('invoke.pipelined', 1000, { ratio: 0.5, goal: { text: '>= 70% of the floor', met: false } }),
    ];
    explainBounds(results);
    expect(results.map((r) => r.bound)).toEqual([undefined, undefined]);
  });

  it('bounds pipelined invokes by the raw echo plus the peer work at one end', () => {
    const results = [
      row('peers.mcp.memory', 20),
      row('invoke.pipelined', 30_000, {
        baseline: { name: 'raw', unit: 'ops/s', summary: summarize([100_000]) },
        ratio: 0.3,
        goal: { text: '>= 70% of the floor', met: false },
      }),
    ];
    explainBounds(results);
    // 10 us per raw message + half of 20 us = 20 us per call at the busier end: 50,000 ops/s, 0.5x.
    expect(results[1]!.bound).toBe(
      "bound: the raw echo's 10.0 us per message + the peer's own work per invoke (20.0 us for both ends over the in-memory pair, about half at each end) = at most 50000 ops/s, 0.50x the floor",
    );
  });

  it('bounds the 20-call story by 20 binding calls against the time of MCP', () => {
    const results = [
      row('binding.in-eval', 100),
      row('agent.20-calls.in-memory pair', 3, {
        baseline: { name: 'MCP', unit: 'ms', summary: summarize([1]) },
        ratio: 3,
        goal: { text: 'no slower than MCP', met: false },
      }),
    ];
    explainBounds(results);
    expect(results[1]!.bound).toMatch(/^floor: 20 binding calls inside the eval alone take 2\.00 ms \(binding\.in-eval\) = 2\.00x MCP's time/);
  });

  it("bounds the 20-call story by the eval's own round trip plus 20 binding calls, when the row measured that round trip", () => {
    const results = [
      row('binding.in-eval.module', 50),
      row('agent.20-calls.memory.module', 3, {
        baseline: { name: 'MCP', unit: 'ms', summary: summarize([1]) },
        ratio: 3,
        goal: { text: 'no slower than MCP', met: false },
        floors: { evalMs: 0.25 },
      }),
    ];
    explainBounds(results);
    expect(results[1]!.bound).toBe(
      "floor: the eval's own round trip 0.25 ms (the same code with no call) + 20 binding calls 1.00 ms (binding.in-eval.module) = 1.25 ms, 1.25x MCP's time",
    );
  });
});
