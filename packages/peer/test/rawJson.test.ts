import { describe, expect, it } from 'vitest';
import { MAX_VALUE_DEPTH } from '@scomp/protocol/value-rules';
import { PROTOCOL_VERSION } from '@scomp/protocol';
import { InternalError, InvalidParamsError, LimitExceededError, RawJson } from '../src/authoring.js';
import type { EvalOptions, Runtime, RuntimeFactory } from '../src/index.js';
import { stringifyMessage } from '../src/rawJson.js';
import { createFakeRuntimeFactory, createMemoryTransportPair } from '../src/testing/index.js';
import { memoryServer } from './support/fixture.js';

describe('RawJson', () => {
  it.each([
    '1',
    '-0.5e+3',
    'true',
    'null',
    '"text with \\"quotes\\", [brackets] and {braces}"',
    '"ends with an escaped backslash\\\\"',
    '[]',
    '{"a":[1,{"b":"}]"}],"c":"\\\\"}',
    `${'['.repeat(MAX_VALUE_DEPTH)}${']'.repeat(MAX_VALUE_DEPTH)}`,
  ])('takes one JSON value: %s', (text) => {
    expect(new RawJson(text).text).toBe(text);
  });

  it.each([
    ['an added member', '1,"id":99'],
    ['a value that closes the message early', '{"a":1}},"id":9,"result":{"value":2'],
    ['a second value after the first', '{"a":1}{"b":2}'],
    ['a string left open', '"abc'],
    ['a string that ends before the text does', '"a"b"'],
    ['a string whose last quote is escaped', '"abc\\"'],
    ['an array left open', '[1,[2]'],
    ['a bracket closed past the start', '[1]]'],
    ['whitespace around a scalar', ' 1'],
    ['an empty text', ''],
    ['a scalar that is no JSON literal', 'undefined'],
    ['nesting past the value depth limit', `${'['.repeat(MAX_VALUE_DEPTH + 1)}${']'.repeat(MAX_VALUE_DEPTH + 1)}`],
  ])('refuses text that could change the message around it: %s', (_, text) => {
    expect(() => new RawJson(text)).toThrow(InternalError);
  });

  it('serializes as the value it stands for wherever it is not spliced into a message', () => {
    expect(JSON.stringify({ a: new RawJson('{"b":[1,2.50]}') })).toBe('{"a":{"b":[1,2.5]}}');
  });

  it('is spliced into a message verbatim, in place, as often as it occurs', () => {
    const raw = new RawJson('{"n":1.50,"s":"x"}');
    const other = new RawJson('[2.0]');
    const text = stringifyMessage({ jsonrpc: '2.0', id: 1, result: { value: raw, more: [other, raw] } });
    expect(text).toBe('{"jsonrpc":"2.0","id":1,"result":{"value":{"n":1.50,"s":"x"},"more":[[2.0],{"n":1.50,"s":"x"}]}}');
  });
});

/** A runtime whose every eval yields `text`: as RawJson when the caller takes it, parsed otherwise. */
function rawJsonRuntime(text: string, seen: EvalOptions[]): RuntimeFactory {
  const runtime: Runtime = {
    async eval(_code, options = {}) {
      seen.push(options);
      return options.acceptRawJson ? new RawJson(text) : JSON.parse(text);
    },
    setClientBindings() {},
    stats: () => ({ liveFunctions: 0 }),
    dispose() {},
  };
  return { create: () => runtime };
}

describe('an eval result as RawJson', () => {
  it('reaches the client as the runtime wrote it, and again for a retry under the same key', async () => {
    const seen: EvalOptions[] = [];
    await using fixture = memoryServer({ runtime: rawJsonRuntime('{"total":142.50,"items":[1.0,2]}', seen) });
    const [clientEnd, serverEnd] = createMemoryTransportPair();
    fixture.server.accept(serverEnd);
    const received: string[] = [];
    const waiters: ((text: string) => void)[] = [];
    clientEnd.start({
      message: (text) => (waiters.shift() ?? ((t: string) => received.push(t)))(text),
      close: () => {},
    });
    const next = () => (received.length > 0 ? Promise.resolve(received.shift()!) : new Promise<string>((resolve) => waiters.push(resolve)));
    clientEnd.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'handshake', params: { protocol: PROTOCOL_VERSION, bindings: [] } }));
    await next();
    for (const id of [2, 3]) {
      clientEnd.send(JSON.stringify({ jsonrpc: '2.0', id, method: 'eval', params: { code: 'total', key: 'k' } }));
      expect(await next()).toBe(`{"jsonrpc":"2.0","id":${id},"result":{"value":{"total":142.50,"items":[1.0,2]}}}`);
    }
    // The second answer is the stored outcome: the runtime ran once, asked for text.
    expect(seen).toEqual([expect.objectContaining({ acceptRawJson: true })]);
    clientEnd.close();
  });

  it('is decoded by the client like any other result', async () => {
    await using fixture = memoryServer({ runtime: rawJsonRuntime('{"a":[1,"two",null]}', []) });
    const client = await fixture.connect();
    expect(await client.eval('a')).toEqual({ a: [1, 'two', null] });
  });

  it('reaches a client that asks for it as RawJson, its text never parsed there', async () => {
    await using fixture = memoryServer({ runtime: rawJsonRuntime('{"total":142.50,"items":[1.0,2]}', []) });
    const client = await fixture.connect();
    const result = await client.eval('total', { acceptRawJson: true });
    expect(result).toBeInstanceOf(RawJson);
    // 142.50 and 1.0 survive as written: no parse and encode on the way.
    expect((result as RawJson).text).toBe('{"total":142.50,"items":[1.0,2]}');
    expect(await client.eval('total')).toEqual({ total: 142.5, items: [1, 2] });
  });

  it('is decoded as usual for a client that asks for RawJson when the result holds functions', async () => {
    await using fixture = memoryServer({ runtime: createFakeRuntimeFactory() });
    const client = await fixture.connect();
    const result = (await client.eval('({ name: "$scomp", twice: async (n) => n * 2 })', { acceptRawJson: true })) as { name: string; twice: (n: number) => Promise<number> };
    expect(result).not.toBeInstanceOf(RawJson);
    expect(result.name).toBe('$scomp');
    expect(await result.twice(4)).toBe(8);
    expect(await client.eval('"$scomp"', { acceptRawJson: true })).toBe('$scomp');
  });

  it('fails the eval awaiting a response that is not valid JSON, instead of leaving it waiting', async () => {
    // A raw value is checked for its structure only: `[1,,2]` closes where it should, so it reaches the client.
    await using fixture = memoryServer({ runtime: rawJsonRuntime('[1,,2]', []) });
    const client = await fixture.connect();
    expect(((await client.eval('x', { acceptRawJson: true })) as RawJson).text).toBe('[1,,2]');
    await expect(client.eval('x')).rejects.toThrow(InvalidParamsError);
    expect(client.state).toBe('connected');
  });

  it('still counts against the message size limit', async () => {
    await using fixture = memoryServer({ runtime: rawJsonRuntime(JSON.stringify('é'.repeat(600)), []), maxMessageBytes: 1_000 });
    const client = await fixture.connect();
    const error = (await client.eval('big').catch((e: unknown) => e)) as LimitExceededError;
    expect(error).toBeInstanceOf(LimitExceededError);
    expect(error.detail).toEqual({ limit: 'messageBytes', max: 1_000 });
  });
});
