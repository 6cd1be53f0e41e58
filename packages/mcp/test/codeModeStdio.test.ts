import { Server } from '@scomp/peer';
import { createQuickJsRuntimeFactory } from '@scomp/runtime-quickjs';
import { listenWebSocket } from '@scomp/transport-ws/node';
import { describe, expect, it } from 'vitest';
import { demoBindings } from '../src/demo.js';
import { connectStdio, scompMcp } from './support/mcpFixtures.js';

describe('scomp-mcp over stdio', () => {
  it('lists eval and reset, with the bindings declared in the eval description', async () => {
    await using mcp = await connectStdio(scompMcp());
    const { tools } = await mcp.client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(['eval', 'reset']);
    const evalTool = tools.find((tool) => tool.name === 'eval')!;
    expect(evalTool.description).toContain('State persists across calls');
    expect(evalTool.description).toContain('declare function listOrders');
    expect(evalTool.outputSchema?.required).toEqual(['logs']);
    expect(mcp.client.getServerVersion()?.name).toBe('scomp-mcp');
  });

  it('keeps state between calls and returns value and logs as structured content and text', async () => {
    await using mcp = await connectStdio(scompMcp());
    const first = await mcp.client.callTool({ name: 'eval', arguments: { code: 'const paid = await listOrders({ status: "paid" }); paid.length' } });
    expect(first.structuredContent).toEqual({ value: 1, logs: [] });
    const second = await mcp.client.callTool({
      name: 'eval',
      arguments: { code: 'console.log("first", paid[0].id); console.warn({ n: 2 }); paid.map((o) => o.customer)' },
    });
    expect(second.isError).toBeUndefined();
    expect(second.structuredContent).toEqual({ value: ['Ada Lovelace'], logs: ['first o_001', '[warn] {"n":2}'] });
    expect(second.content).toEqual([{ type: 'text', text: '[\n  "Ada Lovelace"\n]\n\nlogs:\nfirst o_001\n[warn] {"n":2}' }]);
  });

  it('reports an eval error as a tool error naming the error, its message and the line', async () => {
    await using mcp = await connectStdio(scompMcp());
    const result = await mcp.client.callTool({ name: 'eval', arguments: { code: 'console.log("before");\nconst x = 1;\nmissing + x' } });
    expect(result.isError).toBe(true);
    expect(result.content).toEqual([{ type: 'text', text: "ReferenceError: 'missing' is not defined (line 3)\n\nlogs:\nbefore" }]);
    expect(result.structuredContent).toEqual({
      logs: ['before'],
      error: { name: 'ReferenceError', message: "'missing' is not defined", line: 3 },
    });
  });

  it('carries a failed binding call into the error with its code and data', async () => {
    await using mcp = await connectStdio(scompMcp());
    const result = await mcp.client.callTool({ name: 'eval', arguments: { code: 'await getOrder({ id: 42 })' } });
    expect(result.isError).toBe(true);
    const error = (result.structuredContent as { error: { code: number; data: { issues: unknown[] } } }).error;
    expect(error.code).toBe(-32602);
    expect(error.data.issues.length).toBeGreaterThan(0);
  });

  it('starts afresh after reset', async () => {
    await using mcp = await connectStdio(scompMcp());
    await mcp.client.callTool({ name: 'eval', arguments: { code: 'var kept = 41' } });
    expect((await mcp.client.callTool({ name: 'eval', arguments: { code: 'kept + 1' } })).structuredContent).toEqual({ value: 42, logs: [] });
    const reset = await mcp.client.callTool({ name: 'reset', arguments: {} });
    expect(reset.isError).toBeUndefined();
    const after = await mcp.client.callTool({ name: 'eval', arguments: { code: 'typeof kept' } });
    expect(after.structuredContent).toEqual({ value: 'undefined', logs: [] });
  });

  it('answers bad arguments and unknown tools with a tool error', async () => {
    await using mcp = await connectStdio(scompMcp());
    const noCode = await mcp.client.callTool({ name: 'eval', arguments: { source: '1' } });
    expect(noCode).toMatchObject({ isError: true, content: [{ type: 'text', text: 'eval needs { code: string }' }] });
    const unknown = await mcp.client.callTool({ name: 'nope', arguments: {} });
    expect(unknown.isError).toBe(true);
  });
});

describe('scomp-mcp --connect', () => {
  it('serves code mode over an existing scomp server, presenting the token', async () => {
    const tokens: unknown[] = [];
    const server = new Server({
      runtime: () => createQuickJsRuntimeFactory(),
      bindings: demoBindings(),
      authenticate: (metadata) => {
        tokens.push(metadata.token);
        return { id: 'user' };
      },
    });
    const listener = await listenWebSocket({ host: '127.0.0.1', port: 0, onConnection: (transport) => server.accept(transport) });
    try {
      await using mcp = await connectStdio({ ...scompMcp('--connect', listener.url), env: { SCOMP_TOKEN: 's3cret' } });
      const result = await mcp.client.callTool({ name: 'eval', arguments: { code: '(await listOrders({})).length' } });
      expect(result.structuredContent).toEqual({ value: 5, logs: [] });
      expect(tokens).toEqual(['s3cret']);
    } finally {
      await listener.close();
      await server.close();
    }
  });
});
