import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { groupRunning, processRunning, spawnProcess } from '../src/process/index.js';

const tree = fileURLToPath(new URL('./fixtures/tree.mjs', import.meta.url));
const nodeEval = (code: string) => spawnProcess(process.execPath, ['-e', code]);

function state(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
}

afterEach(() => {
  vi.useRealTimers();
});

describe('spawnProcess', () => {
  it('returns matching lines in order, including lines printed before anyone waited', async () => {
    await using child = nodeEval('console.log("one"); console.log("two"); console.log("three")');
    expect(await child.nextLine('stdout', 'three')).toBe('three');
    // "two" came before the line returned last, so it is not found again.
    await expect(child.nextLine('stdout', /^t/)).rejects.toThrow(/exited \(code 0\) before printing a matching line/);
  });

  it('reads lines from the start of the output, one waiter per line', async () => {
    await using child = nodeEval('console.log("a 1"); console.log("a 2"); setInterval(() => {}, 1000)');
    expect(await child.nextLine('stdout', /^a/)).toBe('a 1');
    expect(await child.nextLine('stdout', (line) => line.startsWith('a'))).toBe('a 2');
    child.write('ignored\n');
    expect(child.stdout).toBe('a 1\na 2\n');
  });

  it('kills the process and what it started when disposed, even one that ignores SIGTERM', async () => {
    let pids!: { pid: number; grandchild: number };
    let group!: number;
    {
      await using child = spawnProcess(process.execPath, [tree, 'stubborn']);
      pids = JSON.parse(await child.nextLine('stdout', /^\{/)) as typeof pids;
      group = child.pid;
      expect(pids.pid).toBe(child.pid);
      expect(processRunning(pids.grandchild)).toBe(true);
    }
    expect(processRunning(pids.pid)).toBe(false);
    expect(processRunning(pids.grandchild)).toBe(false);
    expect(groupRunning(group)).toBe(false);
  });

  it("rejects with the child's stderr when it exits before printing the line", async () => {
    await using child = nodeEval('console.log("starting"); console.error("no config found"); process.exit(3)');
    const error = (await child.nextLine('stdout', 'listening').catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/exited \(code 3\) before printing a matching line/);
    expect(error.message).toContain('no config found');
    expect(error.message).toContain('starting');
    expect(await child.exited).toEqual({ code: 3, signal: null });
    await expect(child.nextLine('stderr', 'anything')).rejects.toThrow(/had already exited \(code 3\)[\s\S]*no config found/);
  });

  it('rejects with what was printed when the line does not come in time', async () => {
    const child = nodeEval('console.log("booting"); console.error("waiting for a database"); setInterval(() => {}, 1000)');
    try {
      expect(await child.nextLine('stderr', 'database')).toBe('waiting for a database');
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      const outcome = child.nextLine('stdout', 'listening', { timeoutMs: 5_000 }).then(
        () => new Error('a line matched'),
        (e: unknown) => e as Error,
      );
      vi.advanceTimersByTime(5_000);
      const error = await outcome;
      expect(error.message).toMatch(/printed no matching line on stdout within 5000 ms/);
      expect(error.message).toContain('booting');
      expect(error.message).toContain('waiting for a database');
    } finally {
      vi.useRealTimers();
      await child[Symbol.asyncDispose]();
    }
  });

  it('rejects waiters and settles when the command cannot be started', async () => {
    await using child = spawnProcess('/nonexistent/scomp-server');
    await expect(child.nextLine('stdout', 'listening')).rejects.toThrow(/nonexistent\/scomp-server.*ENOENT/);
    expect(await child.exited).toEqual({ code: null, signal: null });
  });

  it.runIf(process.platform === 'linux')('does not count a zombie as running', async () => {
    // `sleep 0` ends as a child of the shell that then becomes `sleep 60`, which never reaps it.
    await using shell = spawnProcess('/bin/sh', ['-c', 'sleep 0 & echo $!; exec sleep 60']);
    const zombie = Number(await shell.nextLine('stdout', /^\d+$/));
    while (state(zombie) !== 'Z') await new Promise((resolve) => setImmediate(resolve));
    expect(() => process.kill(zombie, 0)).not.toThrow();
    expect(processRunning(zombie)).toBe(false);
    expect(processRunning(shell.pid)).toBe(true);
    expect(groupRunning(shell.pid)).toBe(true);
  });
});
