import { describe, expect, it } from 'vitest';
import { classifyMessage, compileSchema, EvalErrorData, LimitExceededData, validators, type Validator } from '../src/index.js';

const binding = { name: 'getOrder', input: { type: 'object' } };
const handshake = { protocol: '0.1', bindings: [binding] };

/** `[what, validator, value, path, message fragment]`: the first issue must point at `path`. */
const cases: Array<[string, Validator, unknown, string, string]> = [
  ['handshake without bindings', validators.handshakeParams, { protocol: '0.1' }, '/bindings', 'is required'],
  ['handshake with a bad protocol string', validators.handshakeParams, { ...handshake, protocol: 'v0.1' }, '/protocol', 'pattern'],
  ['handshake with a numeric protocol', validators.handshakeParams, { ...handshake, protocol: 0.1 }, '/protocol', 'string'],
  ['handshake with array metadata', validators.handshakeParams, { ...handshake, metadata: [] }, '/metadata', 'object'],
  ['handshake with an empty session id', validators.handshakeParams, { ...handshake, sessionId: '' }, '/sessionId', ''],
  ['binding with a leading digit', validators.handshakeParams, { ...handshake, bindings: [{ ...binding, name: '1st' }] }, '/bindings/0/name', 'pattern'],
  ['binding with an empty namespace segment', validators.bindingMeta, { ...binding, name: 'db..query' }, '/name', 'pattern'],
  ['binding with a trailing dot', validators.bindingMeta, { ...binding, name: 'db.' }, '/name', 'pattern'],
  ['binding with a dash', validators.bindingMeta, { ...binding, name: 'get-order' }, '/name', 'pattern'],
  ['binding without input', validators.bindingMeta, { name: 'getOrder' }, '/input', 'is required'],
  ['binding with a numeric input schema', validators.bindingMeta, { ...binding, input: 5 }, '/input', 'one of'],
  ['binding with an unknown effect', validators.bindingMeta, { ...binding, effects: ['delete'] }, '/effects/0', '"destructive"'],
  ['binding with a malformed extension effect', validators.bindingMeta, { ...binding, effects: ['x-Bad'] }, '/effects/0', 'x-'],
  ['binding with a repeated effect', validators.bindingMeta, { ...binding, effects: ['read', 'read'] }, '/effects', 'duplicate'],
  ['binding with effects not in an array', validators.bindingMeta, { ...binding, effects: 'read' }, '/effects', 'array'],
  ['binding with a negative duration hint', validators.bindingMeta, { ...binding, hints: { expectedDurationMs: -1 } }, '/hints/expectedDurationMs', '>='],
  ['eval without code', validators.evalParams, {}, '/code', 'is required'],
  ['eval with numeric code', validators.evalParams, { code: 42 }, '/code', 'string'],
  ['eval with an empty key', validators.evalParams, { code: '1', key: '' }, '/key', ''],
  ['eval with a zero timeout', validators.evalParams, { code: '1', timeoutMs: 0 }, '/timeoutMs', '>='],
  ['eval with a fractional timeout', validators.evalParams, { code: '1', timeoutMs: 1.5 }, '/timeoutMs', 'integer'],
  ['invoke with both name and ref', validators.invokeParams, { name: 'getOrder', ref: 'fn_1' }, '', '{name, args?}, {ref, args?}'],
  ['invoke with neither name nor ref', validators.invokeParams, { args: {} }, '', '{name, args?}, {ref, args?}'],
  ['invoke with a bad binding name', validators.invokeParams, { name: 'get order' }, '/name', 'pattern'],
  ['invoke with a numeric ref', validators.invokeParams, { ref: 7 }, '/ref', 'string'],
  ['invoke with an empty ref', validators.invokeParams, { ref: '' }, '/ref', ''],
  ['release without refs', validators.releaseParams, {}, '/refs', 'is required'],
  ['release of no refs', validators.releaseParams, { refs: [] }, '/refs', ''],
  ['release of a numeric ref', validators.releaseParams, { refs: [1] }, '/refs/0', 'string'],
  ['cancel without id', validators.cancelParams, { reason: 'stop' }, '/id', 'is required'],
  ['cancel of a null id', validators.cancelParams, { id: null }, '/id', 'integer'],
  ['cancel with an overlong reason', validators.cancelParams, { id: 1, reason: 'x'.repeat(1025) }, '/reason', ''],
  ['sentinel of an unknown kind', validators.functionRef, { $scomp: { kind: 'obj', id: 'fn_1' } }, '/$scomp/kind', '"fn"'],
  ['sentinel without id', validators.functionRef, { $scomp: { kind: 'fn' } }, '/$scomp/id', 'is required'],
  ['sentinel with an unknown member', validators.functionRef, { $scomp: { kind: 'fn', id: 'f', name: 'x' } }, '/$scomp/name', 'is not allowed'],
  ['sentinel with a sibling member', validators.functionRef, { $scomp: { kind: 'fn', id: 'f' }, extra: 1 }, '/extra', 'is not allowed'],
  ['eval error data with a fractional code', compileSchema(EvalErrorData), { name: 'X', message: 'm', code: 1.5 }, '/code', 'integer'],
  ['limit data of an unknown kind', compileSchema(LimitExceededData), { limit: 'disk' }, '/limit', '"evalQueue"'],
];

describe('malformed params and values', () => {
  it.each(cases)('rejects %s', (_, validator, value, path, fragment) => {
    expect(validator.check(value)).toBe(false);
    const [first] = validator.issues(value);
    expect(first?.path).toBe(path);
    expect(first?.message).toContain(fragment);
  });

  it('limits the number of issues reported', () => {
    const value = { protocol: 1, bindings: [{ name: 1 }, { name: 2 }, { name: 3 }] };
    expect(validators.handshakeParams.issues(value, 2)).toHaveLength(2);
  });

  it('escapes property names in issue paths', () => {
    expect(validators.functionRef.issues({ $scomp: { kind: 'fn', id: 'f' }, 'a/b~c': 1 })).toEqual([
      { path: '/a~1b~0c', message: 'is not allowed' },
    ]);
  });

  it('ignores members the spec does not name in params and results, keeping named members typed', () => {
    const extra = { clientInfo: { name: 'x' }, _meta: { trace: 'abc' } };
    expect(validators.handshakeParams.issues({ ...handshake, ...extra, bindings: [{ ...binding, returns: {} }] })).toEqual([]);
    expect(validators.handshakeResult.issues({ protocol: '0.1', sessionId: 'sess_x', bindings: [], ...extra })).toEqual([]);
    expect(validators.evalParams.issues({ code: '1', language: 'js' })).toEqual([]);
    expect(validators.evalResult.issues({ value: 1, logs: [] })).toEqual([]);
    expect(validators.invokeParams.issues({ name: 'getOrder', timeoutMs: 5 })).toEqual([]);
    expect(validators.invokeParams.issues({ ref: 'fn_1', _meta: {} })).toEqual([]);
    expect(validators.releaseParams.issues({ refs: ['fn_1'], why: 'done' })).toEqual([]);
    expect(validators.cancelParams.issues({ id: 1, urgent: true })).toEqual([]);
    expect(validators.handshakeParams.issues({ ...handshake, ...extra, protocol: 1 })[0]?.path).toBe('/protocol');
    expect(validators.handshakeResult.issues({ protocol: '0.1', sessionId: 'sess_x', bindings: [], resumed: 'no' })[0]?.path).toBe('/resumed');
  });

  it('accepts EvalError data carrying the code and data of the call the code did not catch (§6.4)', () => {
    const data = { name: 'InvalidParamsError', message: 'invalid params', code: -32602, data: { issues: [] }, stack: '' };
    expect(compileSchema(EvalErrorData).issues(data)).toEqual([]);
  });

  it('accepts the smallest valid shapes', () => {
    expect(validators.handshakeParams.issues({ protocol: '0.1', bindings: [] })).toEqual([]);
    expect(validators.evalResult.issues({})).toEqual([]);
    expect(validators.invokeParams.issues({ name: 'db.query' })).toEqual([]);
    expect(validators.bindingMeta.issues({ name: '$', input: true, effects: ['x-audit-log'] })).toEqual([]);
  });

  it('validates plain JSON Schemas with local $defs and $ref', () => {
    const schema = {
      type: 'object',
      properties: { items: { type: 'array', items: { $ref: '#/$defs/Item' } } },
      $defs: { Item: { type: 'object', properties: { sku: { type: 'string' } }, required: ['sku'] } },
    };
    expect(compileSchema(schema).issues({ items: [{ sku: 'a' }, { sku: 1 }, {}] })).toEqual([
      { path: '/items/1/sku', message: 'must be string' },
      { path: '/items/2/sku', message: 'is required' },
    ]);
  });
});

describe('classifyMessage', () => {
  const request = { jsonrpc: '2.0', id: 1, method: 'eval', params: { code: '1' } };

  it('sorts the four message kinds', () => {
    expect(classifyMessage(request).kind).toBe('request');
    expect(classifyMessage({ jsonrpc: '2.0', method: 'release', params: { refs: ['fn_1'] } }).kind).toBe('notification');
    expect(classifyMessage({ jsonrpc: '2.0', id: 'a', result: {} }).kind).toBe('success');
    expect(classifyMessage({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'parse error' } }).kind).toBe('error');
  });

  it('refuses batches with a null id', () => {
    expect(classifyMessage([request, request])).toEqual({ kind: 'invalid', id: null, reason: 'batches are not supported' });
    expect(classifyMessage([])).toMatchObject({ kind: 'invalid', id: null });
  });

  it.each([
    ['a string', 'eval', null, 'a message must be a JSON object'],
    ['null', null, null, 'a message must be a JSON object'],
    ['a wrong jsonrpc version', { ...request, jsonrpc: '1.0' }, 1, 'jsonrpc must be "2.0"'],
    ['a missing jsonrpc member', { id: 1, method: 'eval' }, 1, 'jsonrpc must be "2.0"'],
    ['an unknown member', { ...request, meta: {} }, 1, 'invalid request at /meta: is not allowed'],
    ['a numeric method', { ...request, method: 5 }, 1, 'invalid request at /method'],
    ['string params', { ...request, params: 'code' }, 1, 'invalid request at /params'],
    ['a null request id', { ...request, id: null }, null, 'invalid request'],
    ['a fractional request id', { ...request, id: 1.5 }, null, 'invalid request at /id'],
    ['an overlong string id', { ...request, id: 'x'.repeat(257) }, null, 'invalid request at /id'],
    ['both result and error', { jsonrpc: '2.0', id: 1, result: {}, error: { code: 1, message: 'x' } }, null, 'not a request'],
    ['an error without a message', { jsonrpc: '2.0', id: 1, error: { code: -32603 } }, null, 'not a request'],
  ])('refuses %s, answering with the id only for requests', (_, value, id, reason) => {
    const classified = classifyMessage(value);
    expect(classified).toMatchObject({ kind: 'invalid', id });
    expect(classified.kind === 'invalid' && classified.reason).toContain(reason);
  });
});
