import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { spawnServerProcess } from '@scomp/app-server/testing';
import { runScomp } from './support/scomp.js';

/** Type-checks files as a strict ES2022 program; returns the diagnostics as text. */
function typeCheck(files: Record<string, string>): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'scomp-bindings-'));
  try {
    const paths = Object.entries(files).map(([name, text]) => {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    });
    const program = ts.createProgram(paths, {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      lib: ['lib.es2022.d.ts'],
      types: [],
      module: ts.ModuleKind.ESNext,
      moduleDetection: ts.ModuleDetectionKind.Legacy,
    });
    return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('scomp bindings', () => {
  it('prints declarations that compile and type the demo shop', async () => {
    await using server = await spawnServerProcess();
    const run = await runScomp(['bindings', server.url]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('declare function getOrder(');
    expect(run.stdout).toContain('@effects destructive');
    const use = `
      async function check(): Promise<string> {
        const order = await getOrder({ id: 'o_001' });
        const paid = await listOrders({ status: 'paid' });
        await updateOrder({ id: order.id, status: 'shipped' });
        return order.total.toFixed(2) + paid.length + order.items[0]?.sku;
      }
      check;
    `;
    expect(typeCheck({ 'bindings.d.ts': run.stdout, 'use.ts': use })).toEqual([]);
    expect(typeCheck({ 'bindings.d.ts': run.stdout, 'use.ts': "updateOrder({ id: 'o_001', status: 'lost' });" })).not.toEqual([]);
  });

  it('prints the raw metadata with --json', async () => {
    await using server = await spawnServerProcess();
    const run = await runScomp(['bindings', server.url, '--json']);
    const bindings = JSON.parse(run.stdout) as { name: string; effects?: string[] }[];
    expect(bindings.map((b) => b.name).sort()).toEqual(['echo', 'getOrder', 'listOrders', 'refund', 'slowLookup', 'updateOrder']);
    expect(bindings.find((b) => b.name === 'updateOrder')?.effects).toEqual(['write']);
  });
});
