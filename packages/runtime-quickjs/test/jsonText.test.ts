import type { HostFunction } from '@scomp/peer';
import { InternalError, RawJson } from '@scomp/peer/authoring';
import { EventEmitter } from 'node:events';
import type { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { JsonText } from '../src/jsonText.js';
import type { QuickJsRuntime } from '../src/session.js';
import { Channel, type Message } from '../src/worker/channel.js';
import { compact, expand } from '../src/worker/compactMessages.js';
import type { ToSupervisor, ToWorker } from '../src/worker/operations.js';
import { SharedState } from '../src/worker/sharedState.js';
import { WorkerLink } from '../src/worker/workerLink.js';
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

describe.each(['worker', 'main'] as const)('eval results for a caller that sends them on (runIn: %s)', (runIn) => {
  it('hands over a result without functions as the guest made it, as RawJson, and one with functions as values', () =>
    withSession({ factory: { runIn } }, async (runtime) => {
      const raw = await runtime.eval('({ a: [1, 2n, undefined], b: undefined, c: new Map([["k", -0]]) })', { acceptRawJson: true });
      expect(raw).toBeInstanceOf(RawJson);
      expect((raw as RawJson).text).toBe('{"a":[1,"2",null],"c":[["k",0]]}');
      const text = 'line\n"quoted" \u2028 é 😀';
      expect(((await runtime.eval(JSON.stringify(text), { acceptRawJson: true })) as RawJson).text).toBe(JSON.stringify(text));
      const withFunction = (await runtime.eval('({ n: 1, f: () => 2 })', { acceptRawJson: true })) as { n: number; f: HostFunction };
      expect(withFunction).not.toBeInstanceOf(RawJson);
      expect(await withFunction.f()).toBe(2);
      expect(await runtime.eval('undefined', { acceptRawJson: true })).toBeUndefined();
      // A caller that does not ask gets values.
      expect(await runtime.eval('({ a: 1 })')).toEqual({ a: 1 });
    }));

  it('keeps lone surrogates in a string result, and a real U+FFFD', () =>
    withSession({ factory: { runIn } }, async (runtime) => {
      expect(await runtime.eval('"a\\ud800b" + "\\udc00"')).toBe('a\ud800b\udc00');
      expect(((await runtime.eval('"a\\ud800b"', { acceptRawJson: true })) as RawJson).text).toBe('"a\\ud800b"');
      expect(await runtime.eval('"\\ufffd"')).toBe('\ufffd');
    }));

  it('reads string and JSON results of any size exactly: multi-byte UTF-8, escapes, U+0000 and lone surrogates', () =>
    withSession({ factory: { runIn } }, async (runtime) => {
      const samples = [
        'plain ascii',
        'é ü ß 中文 😀 \u2028 \u2029 '.repeat(3000),
        'line\n"quoted"\t\\ back\u0001'.repeat(500),
        'before\u0000after',
        'x'.repeat(40_000) + '\ud800' + 'y'.repeat(10),
        '\udc00' + '😀'.repeat(10),
        // Whatever needs an escape is found at every offset within the four bytes read at once.
        ...[0, 1, 2, 3].map((offset) => `${'x'.repeat(1000 + offset)}"${'y'.repeat(offset)}`),
        `${'é'.repeat(2049)}\\`,
        `${'x'.repeat(5001)}\u001f`,
      ];
      for (const sample of samples) {
        const code = JSON.stringify(sample);
        expect(await runtime.eval(code)).toBe(sample);
        const raw = (await runtime.eval(code, { acceptRawJson: true })) as RawJson;
        expect(raw.text).toBe(JSON.stringify(sample));
        // Inside an object the text is the guest's JSON, read out of its memory the same way.
        expect(await runtime.eval(`({ s: ${code} })`)).toEqual({ s: sample });
        expect(((await runtime.eval(`({ s: ${code} })`, { acceptRawJson: true })) as RawJson).text).toBe(JSON.stringify({ s: sample }));
      }
    }));

  it('counts a result read by length in UTF-8 bytes against resultBytes, four-byte characters included', () =>
    withSession({ factory: { runIn }, limits: { resultBytes: 100 } }, async (runtime) => {
      // 24 four-byte characters and their quotes are 98 bytes; 25 are 102.
      expect(((await runtime.eval('"😀".repeat(24)', { acceptRawJson: true })) as RawJson).text).toBe(JSON.stringify('😀'.repeat(24)));
      await expect(runtime.eval('"😀".repeat(25)', { acceptRawJson: true })).rejects.toMatchObject({ detail: { limit: 'resultBytes', max: 100 } });
      await expect(runtime.eval('"😀".repeat(25)')).rejects.toMatchObject({ detail: { limit: 'resultBytes', max: 100 } });
      await expect(runtime.eval('"\\u0000".repeat(20)')).rejects.toMatchObject({ detail: { limit: 'resultBytes', max: 100 } });
    }));
});

/** A stand-in for a worker thread that answers every eval with `value`, as a faulty or subverted worker might. */
function workerAnswering(value: ToWorker['requests']['eval']['reply']['value']): Worker {
  const worker = new EventEmitter() as EventEmitter & Record<string, unknown>;
  Object.assign(worker, {
    ref() {},
    unref() {},
    terminate: async () => 0,
    postMessage(sent: Message | string) {
      // Eval requests and replies cross as compact strings.
      const message = typeof sent === 'string' ? expand(sent) : sent;
      if (message.t !== 'req') return;
      const reply: Message = { t: 'res', id: message.id, body: { value, instances: { modules: 1, brokenModules: 0, sessions: 1, spareVms: 0, memoryBytes: 0 } } };
      // Sent as the worker's end sends it: compact, the text as it is.
      queueMicrotask(() => worker.emit('message', compact(reply, message.op)));
    },
  });
  return worker as unknown as Worker;
}

describe('the thread that sends a result on', () => {
  it('refuses text from a worker that could change the message it is spliced into', async () => {
    const link = new WorkerLink(workerAnswering({ json: '1},"id":99,"result":{"value":2' }), SharedState.create(1), { sessionsPerWorker: 1, watchdogGraceMs: 1000 }, () => {});
    try {
      await expect(link.eval(1, 0, 'x', { acceptRawJson: true })).rejects.toThrow(InternalError);
    } finally {
      await link.stop(new InternalError('test done'));
    }
  });

  it('passes well-formed text on without parsing it', async () => {
    const link = new WorkerLink(workerAnswering({ json: '{"n":1.50}' }), SharedState.create(1), { sessionsPerWorker: 1, watchdogGraceMs: 1000 }, () => {});
    try {
      const result = await link.eval(1, 0, 'x', { acceptRawJson: true });
      expect(result).toBeInstanceOf(RawJson);
      expect((result as RawJson).text).toBe('{"n":1.50}');
      expect(await link.eval(1, 0, 'x', {})).toEqual({ n: 1.5 });
    } finally {
      await link.stop(new InternalError('test done'));
    }
  });
});
