import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

describe('benchmark runner', () => {
  it('runs every benchmark in smoke mode and writes the JSON report', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'scomp-bench-'));
    try {
      const out = join(dir, 'smoke.json');
      const run = promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/run.ts', '--smoke', '--out', out], {
        cwd: new URL('..', import.meta.url),
        // A liveness bound, not a timing goal: child processes start slowly on a loaded 2-core machine.
        timeout: 540_000,
      });
      const { stdout } = await run;
      expect(stdout).toContain('goals met:');
      const report = JSON.parse(await readFile(out, 'utf8'));
      expect(report).toMatchObject({
        mode: 'smoke',
        machine: { cpus: expect.any(Number), memoryBytes: expect.any(Number), os: expect.any(String), node: process.version },
        counts: { counts: { runs: expect.any(Number) } },
        // 10 goals of the peers, the wire and MCP code mode; 9 of the runtime: one 16 KiB eval result, two of sessions (creation, a fresh
        // session ready), threads, the module binding in an eval, 4 agent stories (2 of them with module bindings).
        goals: { met: expect.any(Number), total: 19 },
      });
      const ids = report.results.map((r: { id: string }) => r.id);
      for (const id of ['eval.rtt', 'invoke.rtt', 'invoke.pipelined', 'invoke.server-to-client', 'binding.in-eval',
        'peers.mcp.memory', 'peers.mcp.stdio', 'peers.capnweb.memory', 'peers.capnweb.ws', 'sessions.create', 'sessions.first-eval', 'sessions.first-eval-burst',
        'sessions.idle-memory', 'sessions.per-gib', 'sessions.cycles', 'agent.20-calls.stdio child process',
        'mcp.code-mode.20-calls.stdio', 'mcp.code-mode.20-local-calls.stdio', 'mcp.code-mode.model-turns', 'mcp.code-mode.output-bytes', 'mcp.descriptions.everything+memory',
        'hops.1.eval', 'hops.1.invoke', 'hops.3.eval', 'hops.3.invoke', 'hops.stdio.1.eval', 'hops.stdio.1.invoke',
        'hops.stdio.3.eval', 'hops.stdio.3.invoke', 'floor.post-message', 'floor.atomics-wait',
        'floor.atomics-wait-async', 'floor.bare-host-call', 'binding.in-eval.main-thread', 'threads.64-sessions', 'binding.in-eval.module',
        'agent.20-calls.stdio.module', 'agent.20-calls.memory.module']) {
        expect(ids).toContain(id);
      }
      for (const result of report.results) {
        expect(result.subject.summary).toEqual({ min: expect.any(Number), median: expect.any(Number), max: expect.any(Number), runs: expect.any(Number) });
        if (result.goal) expect(result.goal).toEqual({ text: expect.any(String), met: expect.any(Boolean) });
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 600_000);
});
