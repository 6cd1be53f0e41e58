import { describe, expect, it } from 'vitest';
import type { Message } from '../src/worker/channel.js';
import { COMPACT_RESULT_MAX_CHARS, compact, expand } from '../src/worker/compactMessages.js';

const instances = { modules: 1, brokenModules: 0, sessions: 2, spareVms: 1, memoryBytes: 3_145_728 };

const binding = (args: unknown, name = 'db.query'): Message => ({
  t: 'req',
  id: 7,
  op: 'binding',
  body: { session: 3, kind: 'client', name, args, signal: 12 },
});

describe('compact messages of a call', () => {
  it.each([
    ['a binding call with a value', binding({ json: '{"q":"a\\nb","n":[1,2]}' })],
    ['a binding call without a value', binding(undefined)],
    ['a server binding call', { t: 'req', id: 1, op: 'binding', body: { session: 1, kind: 'server', name: 'echo', args: { json: '"x"' }, signal: 1 } }],
    ['a function call with a value', { t: 'req', id: 9, op: 'call', body: { fn: 4, args: { json: '[null]' } } }],
    ['a function call without a value', { t: 'req', id: 9, op: 'call', body: { fn: 4 } }],
  ] as [string, Message][])('sends %s as a string and reads it back as it was', (_, message) => {
    const text = compact(message);
    expect(typeof text).toBe('string');
    expect(expand(text as string)).toEqual(message);
  });

  it('sends a reply holding a value or none as a string when it answers a call', () => {
    for (const message of [{ t: 'res', id: 5, body: { json: '{"n":1}' } }, { t: 'res', id: 5, body: undefined }] as Message[]) {
      const text = compact(message, 'call');
      expect(typeof text).toBe('string');
      expect(expand(text as string)).toEqual(message);
    }
  });

  it('leaves every other message as it is', () => {
    const withFunctions = { json: '{"f":null}', paths: [['f']], fns: [1] };
    const others: [Message, string | undefined][] = [
      [binding(withFunctions), undefined],
      // Names are identifiers on the wire; a runtime driven directly could still be given any.
      [binding({ json: '1' }, 'odd\nname'), undefined],
      [{ t: 'req', id: 2, op: 'call', body: { fn: 1, args: withFunctions } }, undefined],
      [{ t: 'req', id: 2, op: 'create', body: { session: 1, slot: 0 } }, undefined],
      [{ t: 'req', id: 2, op: 'eval', body: { session: 1, code: 'x'.repeat(COMPACT_RESULT_MAX_CHARS + 1) } }, undefined],
      [{ t: 'res', id: 2, body: { json: '2' } }, undefined],
      [{ t: 'res', id: 2, body: { json: '2' } }, 'dispose'],
      [{ t: 'res', id: 2, body: withFunctions }, 'call'],
      [{ t: 'res', id: 2, error: { name: 'InternalError', message: 'no' } }, 'call'],
      [{ t: 'res', id: 2, body: { value: withFunctions, instances } }, 'eval'],
      [{ t: 'res', id: 2, body: { value: { json: `"${'x'.repeat(COMPACT_RESULT_MAX_CHARS)}"` }, instances } }, 'eval'],
      [{ t: 'res', id: 2, error: { name: 'LimitExceededError', message: 'time', data: { limit: 'time' } } }, 'eval'],
      [{ t: 'note', op: 'abort', body: { signal: 1 } }, undefined],
    ];
    for (const [message, replyTo] of others) expect(compact(message, replyTo)).toBe(message);
  });

  it.each([
    ['an eval', { t: 'req', id: 4, op: 'eval', body: { session: 2, code: 'const a = 1;\nreturn a\n' } }],
    ['an eval with a timeout', { t: 'req', id: 4, op: 'eval', body: { session: 2, code: '1+1', timeoutMs: 250 } }],
    ['an eval of no code', { t: 'req', id: 4, op: 'eval', body: { session: 2, code: '' } }],
    ['an eval of code with multi-byte text and lone surrogates', { t: 'req', id: 4, op: 'eval', body: { session: 2, code: "'é€😀\ud800\n\udc00'" } }],
  ] as [string, Message][])('sends %s as a string and reads it back as it was', (_, message) => {
    const text = compact(message);
    expect(typeof text).toBe('string');
    expect(expand(structuredClone(text) as string)).toEqual(message);
  });

  it.each([
    ['a JSON result', { json: '{"a":[1,2],"s":"x\\ny"}' }],
    ['a result with multi-byte text and lone surrogates, kept verbatim', { json: '"é€😀\ud800\n\udc00 \\ud800"' }],
    ['no result', undefined],
  ])('sends the reply of an eval with %s as a string and reads it back as it was', (_, value) => {
    const message: Message = { t: 'res', id: 11, body: { value, instances } };
    const text = compact(message, 'eval');
    expect(typeof text).toBe('string');
    const back = expand(structuredClone(text) as string);
    expect(back).toEqual(message);
    if (value) expect((back as { body: { value: { json: string } } }).body.value.json).toBe(value.json);
  });
});
