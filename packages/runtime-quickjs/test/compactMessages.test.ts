import { describe, expect, it } from 'vitest';
import type { Message } from '../src/worker/channel.js';
import { compact, expand } from '../src/worker/compactMessages.js';

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
    const text = compact(message, false);
    expect(typeof text).toBe('string');
    expect(expand(text as string)).toEqual(message);
  });

  it('sends a reply holding a value or none as a string when it answers a call', () => {
    for (const message of [{ t: 'res', id: 5, body: { json: '{"n":1}' } }, { t: 'res', id: 5, body: undefined }] as Message[]) {
      const text = compact(message, true);
      expect(typeof text).toBe('string');
      expect(expand(text as string)).toEqual(message);
    }
  });

  it('leaves every other message as it is', () => {
    const withFunctions = { json: '{"f":null}', paths: [['f']], fns: [1] };
    const others: [Message, boolean][] = [
      [binding(withFunctions), false],
      // Names are identifiers on the wire; a runtime driven directly could still be given any.
      [binding({ json: '1' }, 'odd\nname'), false],
      [{ t: 'req', id: 2, op: 'call', body: { fn: 1, args: withFunctions } }, false],
      [{ t: 'req', id: 2, op: 'eval', body: { session: 1, code: '1' } }, false],
      [{ t: 'res', id: 2, body: { value: { json: '2' }, instances: {} } }, false],
      [{ t: 'res', id: 2, body: withFunctions }, true],
      [{ t: 'res', id: 2, error: { name: 'InternalError', message: 'no' } }, true],
      [{ t: 'note', op: 'abort', body: { signal: 1 } }, false],
    ];
    for (const [message, carriedReply] of others) expect(compact(message, carriedReply)).toBe(message);
  });
});
