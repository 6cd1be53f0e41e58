import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { builtClientBin, builtProxyBin, builtServerBin, writeBuiltChain } from './support/chainProcesses.js';
import { child } from './support/processes.js';

/** `scomp eval` (built) to completion: its exit code and output. */
async function scompEval(...args: string[]) {
  await using run = child([builtClientBin, 'eval', ...args]);
  run.endInput();
  const { code } = await run.exited;
  return { code, stdout: run.stdout, stderr: run.stderr };
}

describe('the three components from the command line, as the proxy README shows', () => {
  it('audit logs every call, approval asks before a call with effects, scope offers the client only what it names', async () => {
    using chainFile = writeBuiltChain('scomp-readme-chain-', (dir) => [
      [builtProxyBin, 'audit', '--audit-file', join(dir, 'audit.jsonl')],
      [builtProxyBin, 'approval'],
      [builtProxyBin, 'scope', '--server-bindings', 'listOrders,getOrder'],
      [builtServerBin, '--stdio'],
    ]);
    const auditFile = join(chainFile.dir, 'audit.jsonl');
    const stdio = chainFile.stdio;
    const SHOW = "await html_panel.show({ id: 'plan', label: 'Plan', contents: '<b>ship it</b>' }); 'shown'";

    // scope: the client is offered only the bindings it names.
    await using bindings = child([builtClientBin, 'bindings', ...stdio, '--json']);
    bindings.endInput();
    expect((await bindings.exited).code).toBe(0);
    expect((JSON.parse(bindings.stdout) as { name: string }[]).map((meta) => meta.name)).toEqual(['getOrder', 'listOrders']);

    const listed = await scompEval(...stdio, '(await listOrders()).length');
    expect(listed).toMatchObject({ code: 0, stdout: '5\n' });
    expect(listed.stderr).toMatch(/^\[log info\] eval \{ kind: 'eval', .*outcome: 'ok'/m);

    const refused = await scompEval(...stdio, SHOW);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('approval: html_panel.show was not approved (the client offers no confirm binding)');

    const allowed = await scompEval(...stdio, '--yes', SHOW);
    expect(allowed).toMatchObject({ code: 0, stdout: 'shown\n' });
    expect(allowed.stderr).toContain('[confirm] Allow html_panel.show (external)?');
    expect(allowed.stderr).toContain('┌ panel Plan (plan)\nship it\n');

    const records = readFileSync(auditFile, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { kind: string; name?: string; outcome: string });
    // audit is upstream of approval: it sees the evals, and approval's confirm question, but not a
    // call approval refused, which never reached it.
    expect(records.map(({ kind, name, outcome }) => [kind, name ?? null, outcome])).toEqual([
      ['eval', null, 'ok'],
      ['eval', null, 'error'],
      ['invoke', 'confirm', 'ok'],
      ['invoke', 'html_panel.show', 'ok'],
      ['eval', null, 'ok'],
    ]);
  });
});
