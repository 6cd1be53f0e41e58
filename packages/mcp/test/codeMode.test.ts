import { ElicitRequestSchema, LoggingMessageNotificationSchema, ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it, vi } from 'vitest';
import { defineBinding } from '@scomp/peer';
import Type from 'typebox';
import { demoBindings } from '../src/demo.js';
import { codeModeFixture } from './support/codeModeFixture.js';

const evalCode = (code: string, extra: Record<string, unknown> = {}) => ({ name: 'eval', arguments: { code, ...extra } });

describe('code mode', () => {
  it('sends a progress notification per console line when the client sent a progressToken', async () => {
    await using mcp = await codeModeFixture(demoBindings());
    const progress: { progress: number; message?: string }[] = [];
    const result = await mcp.client.callTool(
      evalCode('for (const id of ["o_001", "o_002"]) console.log("checked", (await getOrder({ id })).id); "done"'),
      undefined,
      { onprogress: (update) => progress.push({ progress: update.progress, ...(update.message ? { message: update.message } : {}) }) },
    );
    expect(result.structuredContent).toEqual({ value: 'done', logs: ['checked o_001', 'checked o_002'] });
    expect(progress).toEqual([
      { progress: 1, message: 'checked o_001' },
      { progress: 2, message: 'checked o_002' },
    ]);
  });

  it('tells the client to list the tools again when a fresh session has other bindings', async () => {
    await using mcp = await codeModeFixture(demoBindings());
    let changed!: () => void;
    const listChanged = new Promise<void>((resolve) => (changed = resolve));
    mcp.client.setNotificationHandler(ToolListChangedNotificationSchema, () => changed());
    const before = (await mcp.client.listTools()).tools.find((tool) => tool.name === 'eval')!;
    expect(before.description).not.toContain('refundOrder');
    const refund = defineBinding({ name: 'refundOrder', input: Type.Object({ id: Type.String() }), handler: ({ id }) => `refunded ${id}` });
    mcp.backend.server.setBindings([...demoBindings(), refund]);
    expect((await mcp.client.callTool(evalCode('typeof refundOrder'))).structuredContent).toEqual({ value: 'undefined', logs: [] });
    await mcp.client.callTool({ name: 'reset', arguments: {} });
    expect((await mcp.client.callTool(evalCode('await refundOrder({ id: "o_001" })'))).structuredContent).toEqual({ value: 'refunded o_001', logs: [] });
    await listChanged;
    const after = (await mcp.client.listTools()).tools.find((tool) => tool.name === 'eval')!;
    expect(after.description).toContain('refundOrder');
  });

  it('cancels a running eval when the client cancels the tool call, and the session goes on', async () => {
    // A roomy CPU limit: only the cancellation can end this loop before the test's own timeout.
    await using mcp = await codeModeFixture([], { evalTimeoutMs: 600_000 });
    const controller = new AbortController();
    let looping!: () => void;
    const inLoop = new Promise<void>((resolve) => (looping = resolve));
    const call = mcp.client.callTool(evalCode('console.log("looping"); while (true) {}'), undefined, {
      signal: controller.signal,
      onprogress: () => looping(),
    });
    await inLoop;
    controller.abort('user pressed stop');
    await expect(call).rejects.toThrow(/user pressed stop/);
    const next = await mcp.client.callTool(evalCode('1 + 1'));
    expect(next.structuredContent).toEqual({ value: 2, logs: [] });
  });

  it('stops code that runs past the timeoutMs it was given, as a tool error', async () => {
    await using mcp = await codeModeFixture([]);
    const result = await mcp.client.callTool(evalCode('while (true) {}', { timeoutMs: 50 }));
    expect(result.isError).toBe(true);
    expect(result.structuredContent).toMatchObject({ error: { name: 'LimitExceededError', data: { limit: 'time', max: 50 } } });
    expect((await mcp.client.callTool(evalCode('"alive"'))).structuredContent).toEqual({ value: 'alive', logs: [] });
  });

  it('sends console lines as MCP log messages at or above the level the client set, and none before', async () => {
    await using mcp = await codeModeFixture([]);
    const messages: { level: string; data: unknown }[] = [];
    mcp.client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => {
      messages.push({ level: notification.params.level, data: notification.params.data });
    });
    await mcp.client.callTool(evalCode('console.error("unseen"); 0'));
    expect(messages).toEqual([]);
    await mcp.client.setLoggingLevel('warning');
    const result = await mcp.client.callTool(evalCode('console.log("info line"); console.warn("careful"); console.error("bad"); 1'));
    expect(result.structuredContent).toEqual({ value: 1, logs: ['info line', '[warn] careful', '[error] bad'] });
    expect(messages).toEqual([
      { level: 'warning', data: '[warn] careful' },
      { level: 'error', data: '[error] bad' },
    ]);
  });

  it('offers confirm backed by elicitation when the client supports it', async () => {
    await using mcp = await codeModeFixture(demoBindings(), { capabilities: { elicitation: {} } });
    const asked: string[] = [];
    let answer: 'accept' | 'decline' = 'accept';
    mcp.client.setRequestHandler(ElicitRequestSchema, async (request) => {
      asked.push(request.params.message);
      return answer === 'accept' ? { action: 'accept', content: { confirm: true } } : { action: 'decline' };
    });
    const { tools } = await mcp.client.listTools();
    expect(tools.find((tool) => tool.name === 'eval')!.description).toContain('await confirm({ message })');
    const yes = await mcp.client.callTool(evalCode('await confirm({ message: "Refund o_001?" })'));
    expect(yes.structuredContent).toEqual({ value: true, logs: [] });
    answer = 'decline';
    const no = await mcp.client.callTool(evalCode('await confirm({ message: "Refund o_002?" })'));
    expect(no.structuredContent).toEqual({ value: false, logs: [] });
    expect(asked).toEqual(['Refund o_001?', 'Refund o_002?']);
  });

  it('has no confirm when the client does not support elicitation', async () => {
    await using mcp = await codeModeFixture(demoBindings());
    const { tools } = await mcp.client.listTools();
    expect(tools.find((tool) => tool.name === 'eval')!.description).not.toContain('confirm(');
    const result = await mcp.client.callTool(evalCode('typeof confirm'));
    expect(result.structuredContent).toEqual({ value: 'undefined', logs: [] });
  });

  it('cuts value and logs together to the output budget and says how much was left out', async () => {
    await using mcp = await codeModeFixture([], { maxOutputChars: 200 });
    const result = await mcp.client.callTool(evalCode('for (let i = 0; i < 50; i++) console.log("line " + i); "x".repeat(1000)'));
    const content = result.structuredContent as { value: string; logs: string[]; omittedChars: number };
    expect(content.value).toMatch(/^"x{99}… \[value cut: 902 of 1002 characters left out\]$/);
    expect(content.logs.at(-1)).toMatch(/^… \[logs cut: \d+ characters in \d+ more line\(s\) left out\]$/);
    const keptLogChars = content.logs.slice(0, -1).reduce((sum, line) => sum + line.length + 1, 0);
    expect(keptLogChars).toBeLessThanOrEqual(100);
    const logChars = 10 * 'line 0\n'.length + 40 * 'line 10\n'.length;
    expect(content.omittedChars).toBe(902 + logChars - keptLogChars);
  });

  it('moves declarations to a describe tool above the threshold', async () => {
    await using mcp = await codeModeFixture(demoBindings(), { describeThresholdChars: 100 });
    const { tools } = await mcp.client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(['eval', 'reset', 'describe']);
    const description = tools[0]!.description!;
    expect(description).toContain('echo, getOrder, listOrders, refund, slowLookup, updateOrder');
    expect(description).not.toContain('declare function');
    const described = await mcp.client.callTool({ name: 'describe', arguments: { query: 'refund' } });
    const text = (described.content as { text: string }[])[0]!.text;
    expect(text).toContain('declare function refund(');
    expect(text).not.toContain('declare function listOrders(');
  });

  it('ends the scomp session when the MCP session closes', async () => {
    const mcp = await codeModeFixture(demoBindings());
    try {
      await mcp.client.callTool(evalCode('1'));
      expect(mcp.backend.server.stats().sessions).toBe(1);
      await mcp.session.close();
      await vi.waitFor(() => expect(mcp.backend.server.stats().sessions).toBe(0));
    } finally {
      await mcp[Symbol.asyncDispose]();
    }
  });
});
