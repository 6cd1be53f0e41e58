import { InternalError, LimitExceededError } from '@scomp/peer';
import { describe, expect, it } from 'vitest';
import { Channel, type Message } from '../src/worker/channel.js';
import type { ToSupervisor, ToWorker } from '../src/worker/operations.js';

describe('worker channel', () => {
  it('fails a request whose body cannot be sent, and stops counting it as pending', async () => {
    const busy: boolean[] = [];
    const port = {
      postMessage(message: Message): void {
        structuredClone(message);
      },
    };
    const channel = new Channel<ToWorker, ToSupervisor>(port, { onPending: (state) => busy.push(state) });
    // A schema holding a function cannot be cloned into the thread.
    const bindings = [{ meta: { name: 'lookup', input: { check: () => true } }, notify: false }];
    const { reply } = channel.request('create', { session: 1, slot: 0, sessionId: 'sess_test', bindings }, 1);
    const error = await reply.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InternalError);
    expect((error as InternalError).message).toBe('cannot send create to the runtime thread');
    // Referenced while the request was pending, released when it failed: the thread may idle.
    expect(busy).toEqual([true, false]);
  });

  it('carries prototype-named keys and the functions under them as data, and never reaches a prototype', async () => {
    let b: Channel<ToWorker, ToSupervisor> | undefined;
    const a = new Channel<ToSupervisor, ToWorker>({ postMessage: (message) => b!.receive(structuredClone(message)) });
    b = new Channel<ToWorker, ToSupervisor>({ postMessage: (message) => a.receive(structuredClone(message)) });
    const value = JSON.parse('{"__proto__":{"then":null},"constructor":{"prototype":{"f":null}}}') as Record<string, Record<string, unknown>>;
    Object.defineProperty(value.__proto__, 'then', { value: async () => 'then called', enumerable: true });
    (value.constructor.prototype as Record<string, unknown>).f = async () => 'f called';
    const back = b.uncarry(structuredClone(a.carry(value, 1)), 1) as Record<string, Record<string, (args?: unknown) => Promise<unknown>>>;
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.keys(back)).toEqual(['__proto__', 'constructor']);
    expect(({} as Record<string, unknown>).then).toBeUndefined();
    expect(await back.__proto__!.then!()).toBe('then called');
    expect(await (back.constructor.prototype as unknown as Record<string, () => Promise<unknown>>).f!()).toBe('f called');
  });

  it('goes on when a notification cannot be handled', () => {
    const channel = new Channel<ToSupervisor, ToWorker>({ postMessage: () => {} });
    channel.on('clientBindings', () => {
      throw new TypeError('property is not configurable');
    });
    expect(() => channel.receive({ t: 'note', op: 'clientBindings', body: {} })).not.toThrow();
  });

  it('carries an eval and its reply as strings, the result text verbatim, and an error reply as a typed error', async () => {
    const sent: (Message | string)[] = [];
    let worker: Channel<ToSupervisor, ToWorker> | undefined;
    const supervisor = new Channel<ToWorker, ToSupervisor>({
      postMessage: (message) => {
        sent.push(message);
        worker!.receive(structuredClone(message));
      },
    });
    worker = new Channel<ToSupervisor, ToWorker>({
      postMessage: (message) => {
        sent.push(message);
        supervisor.receive(structuredClone(message));
      },
    });
    const instances = { modules: 1, brokenModules: 0, sessions: 1, spareVms: 1, memoryBytes: 1_048_576 };
    // Multi-byte text, an escaped lone surrogate and a raw one: the text arrives exactly as sent.
    const json = '{"s":"é€😀\\ud800","raw":"\ud800\udc00\udc00"}';
    const seen: unknown[] = [];
    worker.handle('eval', async (body) => {
      seen.push(body);
      if (body.code === 'fail') throw new LimitExceededError('eval exceeded its time limit', { limit: 'time', max: 5 });
      return { value: { json }, instances };
    });
    const { reply } = supervisor.request('eval', { session: 3, code: 'x\n"\ud800"', timeoutMs: 5 }, 3);
    expect(await reply).toEqual({ value: { json }, instances });
    expect(((await reply) as { value: { json: string } }).value.json).toBe(json);
    expect(seen).toEqual([{ session: 3, code: 'x\n"\ud800"', timeoutMs: 5 }]);
    expect(sent.map((message) => typeof message)).toEqual(['string', 'string']);

    const failed = await supervisor.request('eval', { session: 3, code: 'fail' }, 3).reply.catch((caught: unknown) => caught);
    expect(failed).toBeInstanceOf(LimitExceededError);
    expect(failed).toMatchObject({ message: 'eval exceeded its time limit', data: { limit: 'time', max: 5 } });
    expect(sent.slice(2).map((message) => typeof message)).toEqual(['string', 'object']);
  });
});
