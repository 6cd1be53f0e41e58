import { describe, expect, it } from 'vitest';
import Type from 'typebox';
import { EvalError, InternalError, InvalidParamsError, LimitExceededError, defineBinding, type Client } from '@scomp/peer';
import { gate, wsStack } from './support/wsStack.js';
import { createQuickJsRuntimeFactory } from '@scomp/runtime-quickjs';

/** What an attempt must end in. Mirrors the abuse table in SECURITY.md. */
type Outcome =
  | { value: unknown }
  | { limit: string; sessionReset?: boolean }
  | { evalError: string; message?: RegExp };

/** What an attempt ended in. */
type Seen = { value: unknown } | { limit: string; sessionReset?: boolean } | { evalError: string; text: string };

interface Attempt {
  attempt: string;
  code: string;
  outcome: Outcome;
  /** Runs in a session whose time limit is long enough for the limit under test to be reached first. */
  slow?: boolean;
}

const catalogue: Attempt[] = [
  { attempt: 'infinite loop', code: 'for (;;) {}', outcome: { limit: 'time' } },
  { attempt: 'infinite loop that catches the interrupt', code: 'for (;;) { try { for (;;) {} } catch {} }', outcome: { limit: 'time' } },
  {
    // Every step leaves a pending promise behind, so the chain grows memory at the speed of the
    // machine: under a roomy time limit the memory limit is met first on any machine.
    attempt: 'infinite promise chain',
    code: 'const spin = () => Promise.resolve().then(spin); await spin()',
    outcome: { limit: 'memory' },
    slow: true,
  },
  { attempt: 'allocation bomb', code: 'const bomb = []; for (;;) bomb.push({ s: "x" + Math.random() })', outcome: { limit: 'memory' }, slow: true },
  { attempt: 'one huge allocation', code: 'new Uint8Array(512 * 1024 * 1024).length', outcome: { limit: 'memory' } },
  {
    attempt: 'megabytes allocated per step, past the reach of the interrupt check',
    code: 'const parts = []; for (;;) parts.push("x".repeat(4e6) + Math.random())',
    outcome: { limit: 'memory' },
    slow: true,
  },
  { attempt: 'deep recursion', code: 'function down(n) { return down(n + 1) + 1 } down(0)', outcome: { limit: 'stack' } },
  {
    attempt: 'loop of long native steps, past the reach of the interrupt check',
    code: 'let n = 0; for (;;) n += "x".repeat(1e6).length',
    outcome: { limit: 'time', sessionReset: true },
  },
  {
    // Worker threads have stack to spare, so the interpreter's own limit trips and state is kept.
    attempt: 'native recursion',
    code: 'let o = {}; for (let i = 0; i < 100000; i++) o = { o }; JSON.stringify(o).length',
    outcome: { limit: 'stack' },
    slow: true,
  },
  { attempt: 'huge string', code: '"x".repeat(2 ** 30).length', outcome: { evalError: 'RangeError' } },
  { attempt: 'string doubling', code: 'let s = "x"; for (;;) s += s', outcome: { evalError: 'InternalError', message: /string too long/ } },
  { attempt: 'result over resultBytes', code: '"y".repeat(100 * 1024)', outcome: { limit: 'resultBytes' } },
  {
    attempt: 'deeply nested result',
    code: 'let a = []; for (let i = 0; i < 100000; i++) a = [a]; a',
    outcome: { evalError: 'TypeError', message: /value nests deeper than 256 levels at \/0\/0/ },
  },
  { attempt: 'cyclic result', code: 'const c = { a: [1] }; c.a.push(c); c', outcome: { evalError: 'TypeError', message: /cycle at \/a\/1/ } },
  { attempt: 'Function constructor to reach the host', code: '(() => {}).constructor.constructor("return typeof process")()', outcome: { value: 'undefined' } },
  { attempt: 'Function constructor of a binding', code: 'echo.constructor("return typeof require")()', outcome: { value: 'undefined' } },
  { attempt: 'constructor.constructor returning process', code: 'this.constructor.constructor("return process")()', outcome: { evalError: 'ReferenceError' } },
  { attempt: 'indirect eval', code: '(0, eval)("[typeof process, typeof require, typeof Buffer]")', outcome: { value: ['undefined', 'undefined', 'undefined'] } },
  { attempt: 'dynamic import', code: 'await import("node:fs")', outcome: { evalError: 'ReferenceError' } },
  { attempt: 'host globals', code: '[typeof fetch, typeof WebAssembly, typeof globalThis.os, typeof globalThis.std]', outcome: { value: ['undefined', 'undefined', 'undefined', 'undefined'] } },
  {
    attempt: 'throwing getter met while converting the result',
    code: '({ get x() { throw new Error("getter") } })',
    outcome: { evalError: 'Error', message: /getter/ },
  },
  { attempt: 'toJSON planted on Object.prototype', code: 'Object.prototype.toJSON = () => "x"; ({ a: 1 })', outcome: { value: 'x' } },
];

const echo = defineBinding({ name: 'echo', input: Type.Unknown(), handler: (args) => args });

async function outcomeOf(client: Client, code: string): Promise<Seen> {
  try {
    return { value: await client.eval(code) };
  } catch (error) {
    if (error instanceof LimitExceededError) {
      return error.detail.sessionReset ? { limit: error.detail.limit, sessionReset: true } : { limit: error.detail.limit };
    }
    if (error instanceof EvalError) return { evalError: error.detail.name, text: error.detail.message };
    throw error;
  }
}

describe('sandbox abuse through the full stack (WebSocket, QuickJS)', () => {
  // A long catalogue of attempts that each run to a limit: slow on a loaded machine, whatever the timing.
  it('ends every attempt in its documented outcome, and the server keeps serving', { timeout: 120_000 }, async () => {
    // A thread of its own: the watchdog stops the thread of the native-step loop, which resets
    // every session on it (the patient client below would otherwise be told its state is gone).
    const isolated = createQuickJsRuntimeFactory({ sessionsPerWorker: 1 });
    await using _ = { [Symbol.asyncDispose]: () => isolated.close() };
    await using s = await wsStack({
      runtime: isolated,
      bindings: [echo],
      limits: { evalTimeoutMs: 300, memoryBytes: 16 * 1024 * 1024, resultBytes: 64 * 1024 },
    });
    // Slow attempts test another limit than time: a JSON.stringify that recurses to the stack limit
    // costs ~1.5 s of CPU (QuickJS checks for cycles at every level), several times that under load.
    await using roomy = await wsStack({ limits: { evalTimeoutMs: 60_000, memoryBytes: 16 * 1024 * 1024 } });
    const fast = await s.connect();
    const patient = await roomy.connect();
    for (const { attempt, code, outcome, slow } of catalogue) {
      const client = slow ? patient : fast;
      const seen = await outcomeOf(client, code);
      if ('evalError' in outcome) {
        expect(seen, attempt).toMatchObject({ evalError: outcome.evalError });
        if (outcome.message) expect((seen as { text: string }).text, attempt).toMatch(outcome.message);
      } else if ('limit' in outcome && outcome.sessionReset === undefined) {
        expect(seen, attempt).toMatchObject({ limit: outcome.limit });
      } else {
        expect(seen, attempt).toEqual(outcome);
      }
      await client.eval('delete Object.prototype.toJSON');
      expect(await client.eval('"alive"'), `after ${attempt}`).toBe('alive');
    }
    const other = await s.connect();
    expect(await other.eval('1 + 1')).toBe(2);
  });

  it('stops code that keeps running after its eval through a timer, and its neighbours keep answering', async () => {
    let suspended!: (line: string) => void;
    const suspension = new Promise<string>((resolve) => (suspended = resolve));
    const consoleBinding = defineBinding({
      name: 'console',
      input: Type.Object({ level: Type.String(), args: Type.Array(Type.Unknown()) }),
      handler: ({ args }) => {
        const line = String(args[0]);
        if (line.includes('code outside an eval used')) suspended(line);
      },
    });
    // One thread for both sessions: a background loop on it would hold up the neighbour's evals.
    const shared = createQuickJsRuntimeFactory({ sessionsPerWorker: 2 });
    await using _ = { [Symbol.asyncDispose]: () => shared.close() };
    await using s = await wsStack({ runtime: shared, limits: { evalTimeoutMs: 200 } });
    const culprit = await s.connect({ bindings: [consoleBinding] });
    const neighbour = await s.connect();
    expect(await culprit.eval('setTimeout(function again() { setTimeout(again, 0); for (;;) {} }, 0); "armed"')).toBe('armed');
    expect(await suspension).toMatch(/^Uncaught InternalError: code outside an eval used 200 ms of CPU time/);
    expect(await neighbour.eval('"answered"')).toBe('answered');
    expect(await culprit.eval('"usable"')).toBe('usable');
  });

  it('keeps host prototypes out of reach of values passed to and from bindings', async () => {
    let received: any;
    const keep = defineBinding({
      name: 'keep',
      input: Type.Unknown(),
      handler: (args) => {
        received = args;
        return { nested: { ok: true } };
      },
    });
    await using s = await wsStack({ bindings: [keep] });
    const client = await s.connect();
    const result = await client.eval(`
      Object.prototype.polluted = 'yes';
      const back = await keep({ list: [1], ['__proto__']: { injected: true }, constructor: { prototype: { evil: 1 } } });
      back.nested.__proto__.polluted2 = 'yes';
      JSON.parse('{"__proto__": {"polluted3": true}}')
    `);
    expect(({} as any).polluted ?? ({} as any).polluted2 ?? ({} as any).polluted3 ?? ({} as any).evil).toBeUndefined();
    expect(Object.getPrototypeOf(received)).toBe(Object.prototype);
    expect(received.injected).toBeUndefined();
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
  });

  it('answers a flood of calls to the client beyond its pending limit with LimitExceeded, and both sides carry on', async () => {
    const open = gate();
    let started = 0;
    const slow = defineBinding({
      name: 'slow',
      input: Type.Object({}),
      handler: async () => {
        if (++started === 64) open.open();
        await open.promise;
        return 'ok';
      },
    });
    await using s = await wsStack();
    const client = await s.connect({ bindings: [slow], maxInboundRequests: 64 });
    const results = (await client.eval(
      'await Promise.all(Array.from({ length: 500 }, () => slow({}).then((v) => v, (e) => [e.code, e.data.limit])))',
    )) as unknown[];
    const ok = results.filter((result) => result === 'ok').length;
    expect(ok).toBeGreaterThanOrEqual(64);
    expect(results.filter((result) => JSON.stringify(result) === '[-32021,"pendingRequests"]')).toHaveLength(500 - ok);
    expect(await client.eval('"responsive"')).toBe('responsive');
    expect(client.stats()).toMatchObject({ activeInbound: 0 });
  });

  it('delivers a flood of console output in order, before the eval result', async () => {
    const lines: number[] = [];
    const consoleBinding = defineBinding({
      name: 'console',
      input: Type.Object({ level: Type.String(), args: Type.Array(Type.Unknown()) }),
      handler: ({ args }) => {
        lines.push(args[0] as number);
      },
    });
    await using s = await wsStack();
    const client = await s.connect({ bindings: [consoleBinding] });
    expect(await client.eval('for (let i = 0; i < 5000; i++) console.log(i); "done"')).toBe('done');
    expect(lines).toHaveLength(5000);
    expect(lines.every((line, index) => line === index)).toBe(true);
  });
});

describe('binding schemas', () => {
  const order = {
    $ref: '#/$defs/Order',
    $defs: {
      Item: { type: 'object', properties: { sku: { type: 'string' }, qty: { type: 'integer', minimum: 1 } }, required: ['sku', 'qty'] },
      Order: { type: 'object', properties: { items: { type: 'array', items: { $ref: '#/$defs/Item' } } }, required: ['items'] },
    },
  };
  const place = defineBinding({ name: 'place', input: Type.Unsafe<{ items: { sku: string; qty: number }[] }>(order), handler: ({ items }) => items.length });
  const broken = defineBinding({
    name: 'broken',
    input: Type.Object({}),
    output: Type.Object({ total: Type.Number() }),
    handler: () => ({ total: 'a lot' }) as unknown as { total: number },
  });

  it('refuses arguments that break a $ref/$defs schema with InvalidParams naming the path', async () => {
    await using s = await wsStack({ bindings: [place, broken] });
    const client = await s.connect();
    expect(await client.eval('await place({ items: [{ sku: "a", qty: 2 }] })')).toBe(1);
    const fromCode = await client.eval(
      'try { await place({ items: [{ sku: "a", qty: 0 }] }) } catch (e) { [e.code, e.data.issues.map((i) => i.path)] }',
    );
    expect(fromCode).toEqual([-32602, ['/items/0/qty']]);
    const direct = (await client.invoke('place', { items: [{ qty: 1 }] }).catch((e: unknown) => e)) as InvalidParamsError;
    expect(direct).toBeInstanceOf(InvalidParamsError);
    expect(direct.issues.map((issue) => issue.path)).toEqual(['/items/0/sku']);
  });

  it('reports a result that breaks its output schema as InternalError with issues, never InvalidParams', async () => {
    await using s = await wsStack({ bindings: [place, broken] });
    const client = await s.connect();
    const direct = (await client.invoke('broken', {}).catch((e: unknown) => e)) as InternalError;
    expect(direct).toBeInstanceOf(InternalError);
    expect(direct.data).toMatchObject({ issues: [{ path: '/total' }] });
    expect(await client.eval('try { await broken({}) } catch (e) { e.code }')).toBe(-32603);
  });
});
