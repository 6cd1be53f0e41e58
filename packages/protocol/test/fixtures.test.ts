import { describe, expect, it } from 'vitest';
import {
  classifyMessage,
  ErrorCode,
  errorCodeName,
  hasSentinelKey,
  Method,
  validators,
  type Validator,
} from '../src/index.js';
import { compileSchema, EvalErrorData, InvalidParamsData, LimitExceededData, UnsupportedVersionData } from '../src/index.js';
import { loadFixtures } from './specFiles.js';

const paramsValidator: Record<string, Validator> = {
  [Method.handshake]: validators.handshakeParams,
  [Method.eval]: validators.evalParams,
  [Method.invoke]: validators.invokeParams,
  [Method.release]: validators.releaseParams,
  [Method.cancel]: validators.cancelParams,
};
const resultValidator: Record<string, Validator> = {
  [Method.handshake]: validators.handshakeResult,
  [Method.eval]: validators.evalResult,
  [Method.invoke]: validators.invokeResult,
};
const requestMethods = new Set<string>([Method.handshake, Method.eval, Method.invoke]);
const notificationMethods = new Set<string>([Method.invoke, Method.release, Method.cancel]);
const dataValidator: Record<number, Validator> = {
  [ErrorCode.InvalidParams]: compileSchema(InvalidParamsData),
  [ErrorCode.EvalError]: compileSchema(EvalErrorData),
  [ErrorCode.LimitExceeded]: compileSchema(LimitExceededData),
  [ErrorCode.UnsupportedVersion]: compileSchema(UnsupportedVersionData),
  [ErrorCode.BindingNotFound]: compileSchema({
    type: 'object',
    properties: { name: { type: 'string' } },
    required: ['name'],
    additionalProperties: false,
  }),
  [ErrorCode.RefNotFound]: compileSchema({
    type: 'object',
    properties: { ref: { type: 'string' } },
    required: ['ref'],
    additionalProperties: false,
  }),
};
/** Messages that are deliberately not valid JSON-RPC: the example shows how they are refused. */
const deliberatelyInvalid: Record<string, number[]> = { batch: [0] };

function sentinels(value: unknown): unknown[] {
  if (Array.isArray(value)) return value.flatMap(sentinels);
  if (typeof value !== 'object' || value === null) return [];
  if (hasSentinelKey(value)) return [value];
  return Object.values(value).flatMap(sentinels);
}

/** Sentinels live only in application values: invoke `args` and result `value` (not in schemas). */
function carriedValues(message: unknown): unknown[] {
  const { params, result } = message as { params?: { args?: unknown }; result?: { value?: unknown } };
  return [params?.args, result?.value];
}

const fixtures = loadFixtures();

describe('spec examples', () => {
  it('exist', () => {
    expect(fixtures.length).toBeGreaterThan(10);
  });

  describe.each(fixtures)('$name', (fixture) => {
    it('is a titled list of messages between client and server', () => {
      expect(typeof fixture.title).toBe('string');
      expect(fixture.messages.length).toBeGreaterThan(0);
      for (const entry of fixture.messages) {
        expect(Object.keys(entry).sort()).toEqual(['from', 'message']);
        expect(['client', 'server']).toContain(entry.from);
      }
    });

    it('holds only valid messages, each response answering a request of the other side', () => {
      const pending = new Map<string, string>();
      fixture.messages.forEach(({ from, message }, index) => {
        const to = from === 'client' ? 'server' : 'client';
        const classified = classifyMessage(message);
        if (deliberatelyInvalid[fixture.name]?.includes(index)) {
          expect(classified.kind).toBe('invalid');
          return;
        }
        switch (classified.kind) {
          case 'invalid':
            throw new Error(`message ${index} is invalid: ${classified.reason}`);
          case 'request': {
            const { id, method, params } = classified.message;
            expect(requestMethods).toContain(method);
            if (method === Method.handshake || method === Method.eval) expect(from).toBe('client');
            expect(paramsValidator[method]!.issues(params)).toEqual([]);
            expect(pending.has(`${from}:${id}`)).toBe(false);
            pending.set(`${from}:${id}`, method);
            break;
          }
          case 'notification': {
            const { method, params } = classified.message;
            expect(notificationMethods).toContain(method);
            expect(paramsValidator[method]!.issues(params)).toEqual([]);
            break;
          }
          case 'success': {
            const method = pending.get(`${to}:${classified.message.id}`);
            expect(method, `response ${index} answers no pending request`).toBeDefined();
            pending.delete(`${to}:${classified.message.id}`);
            expect(resultValidator[method!]!.issues(classified.message.result)).toEqual([]);
            break;
          }
          case 'error': {
            const { id, error } = classified.message;
            if (id !== null) {
              expect(pending.delete(`${to}:${id}`), `error ${index} answers no pending request`).toBe(true);
            }
            expect(errorCodeName(error.code)).toBeDefined();
            const check = dataValidator[error.code];
            if (check) expect(check.issues(error.data)).toEqual([]);
            else expect(error.data).toBeUndefined();
            break;
          }
        }
        for (const sentinel of sentinels(carriedValues(message))) {
          expect(validators.functionRef.issues(sentinel)).toEqual([]);
        }
      });
      expect([...pending.keys()], 'requests left unanswered').toEqual([]);
    });
  });
});
