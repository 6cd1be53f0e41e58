import { describe, expect, it } from 'vitest';
import { runLoad } from '../load/loadTest.js';
import { runNeighbourLoad } from '../load/neighbourLoad.js';

describe('load (short mode; `pnpm load` runs the full one)', () => {
  it('loses, duplicates and mismatches no answer across sessions, calls, references and injected drops', async () => {
    const report = await runLoad({ sessions: 20, rounds: 2 });
    expect(report).toMatchObject({ lost: 0, duplicated: 0, mismatched: 0 });
    expect(report.reconnects).toBeGreaterThan(0);
    expect(report.operations).toBe(20 * 2 * 6);
    expect(report.leftovers).toEqual({ connections: 0, attachedSessions: 0, refs: 0 });
  });

  it('answers a neighbour correctly beside hostile sessions and hostile handshakes, and refuses the hostile handshakes', async () => {
    // Latency is what `pnpm load` reports; this checks only that nothing is lost or left open.
    const report = await runNeighbourLoad({ samples: 2, evalTimeoutMs: 300, maxMessageBytes: 256 * 1024, hostileHandshakes: 2 });
    expect(report.phases.map((phase) => phase.failed)).toEqual([0, 0, 0, 0]);
    expect(report.handshakes.refused).toBeGreaterThanOrEqual(2);
  });
});
