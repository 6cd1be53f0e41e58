import type { HostFunction } from '@scomp/peer';
import { describe, expect, it } from 'vitest';
import { JsonText } from '../src/jsonText.js';
import type { QuickJsRuntime } from '../src/session.js';
import { Channel } from '../src/worker/channel.js';
import type { ToSupervisor, ToWorker } from '../src/worker/operations.js';
import { withSession } from './support.js';

describe('eval results forwarded as JSON text', () => {
  it('leaves a result without functions as the JSON text the guest made, and converts one with functions', () =>
    withSession({ factory: { runIn: 'main' } }, async (runtime) => {
      const session = runtime as QuickJsRuntime;
      const text = await session.evalAsText('({ a: [1, 2n, undefined], b: undefined, c: new Map([["k", -0]]) })');
      expect(text).toBeInstanceOf(JsonText);
      expect((text as JsonText).json).toBe('{"a":[1,"2",null],"c":[["k",0]]}');
      // The same conversions as eval: the text parses to exactly what eval returns.
      expect(JSON.parse((text as JsonText).json)).toEqual(await session.eval('({ a: [1, 2n, undefined], b: undefined, c: new Map([["k", -0]]) })'));
      const withFunction = (await session.evalAsText('({ n: 1, f: () => 2 })')) as { n: number; f: HostFunction };
      expect(withFunction).not.toBeInstanceOf(JsonText);
      expect(withFunction.n).toBe(1);
      expect(await withFunction.f()).toBe(2);
      expect(await session.evalAsText('undefined')).toBeUndefined();
    }));

  it('crosses the worker channel unparsed and arrives as the value, keys such as __proto__ as data', () => {
    const channel = new Channel<ToSupervisor, ToWorker>({ postMessage: () => {} });
    const json = '{"__proto__":{"polluted":true},"list":[1,"x",null]}';
    const carried = channel.carry(new JsonText(json), 1);
    expect(carried).toEqual({ json });
    const value = channel.uncarry(carried, 1) as Record<string, unknown>;
    expect(Object.keys(value)).toEqual(['__proto__', 'list']);
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('stays text on the receiving end that asks for it, unless the value holds functions', async () => {
    let worker: Channel<ToSupervisor, ToWorker> | undefined;
    const supervisor = new Channel<ToWorker, ToSupervisor>({ postMessage: (message) => worker!.receive(structuredClone(message)) });
    worker = new Channel<ToSupervisor, ToWorker>({ postMessage: (message) => supervisor.receive(structuredClone(message)) }, { valuesAsText: true });
    const text = worker.uncarry(supervisor.carry({ rows: [1, 2] }, 1), 1);
    expect(text).toEqual(new JsonText('{"rows":[1,2]}'));
    const withFunction = worker.uncarry(supervisor.carry({ twice: async (n: unknown) => (n as number) * 2 }, 1), 1) as { twice: HostFunction };
    // The proxy's own result crosses back as text too, for the guest to parse.
    expect(await withFunction.twice(4)).toEqual(new JsonText('8'));
    expect(supervisor.uncarry(worker.carry(new JsonText('[1]'), 1), 1)).toEqual([1]);
  });
});
