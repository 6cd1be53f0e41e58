import { describe, expect, it } from 'vitest';
import { bindingPatternMatcher, combineScopes, validators } from '../src/index.js';

describe('bindingPatternMatcher', () => {
  it('matches names exactly and namespaces below a `.*` pattern, never the namespace itself', () => {
    const matches = bindingPatternMatcher(['getOrder', 'db.*']);
    expect(['getOrder', 'db.query', 'db.admin.drop', 'db', 'dbx.query', 'getOrders', 'get'].filter(matches)).toEqual([
      'getOrder',
      'db.query',
      'db.admin.drop',
    ]);
  });

  it('treats prototype keys as plain names', () => {
    const matches = bindingPatternMatcher(['__proto__']);
    expect(['__proto__', 'constructor', 'toString', 'hasOwnProperty'].filter(matches)).toEqual(['__proto__']);
    expect(['constructor', 'toString'].filter(bindingPatternMatcher([]))).toEqual([]);
  });
});

describe('combineScopes', () => {
  it('lets through only what both let through', () => {
    expect(combineScopes({ only: ['db.*', 'getOrder'] }, { only: ['db.query', 'mail.*', 'getOrder'] })).toEqual({
      only: ['db.query', 'getOrder'],
    });
    expect(combineScopes({ only: ['db.*'] }, { only: ['db.admin.*'] })).toEqual({ only: ['db.admin.*'] });
    expect(combineScopes({ only: ['db.*'] }, { only: ['db'] })).toEqual({ only: [] });
    expect(combineScopes({ only: ['a'] }, { confirm: ['a'] })).toEqual({ only: ['a'], confirm: ['a'] });
  });

  it('gates what either gates, and keeps a missing side as no narrowing', () => {
    expect(combineScopes({ confirm: ['a'], confirmEffects: ['write'] }, { confirm: ['b', 'a'], confirmEffects: ['external'] })).toEqual({
      confirm: ['a', 'b'],
      confirmEffects: ['write', 'external'],
    });
    expect(combineScopes(undefined, { only: ['x'] })).toEqual({ only: ['x'] });
    expect(combineScopes(undefined, undefined)).toBeUndefined();
  });
});

describe('handshake serverBindings schema', () => {
  const params = (serverBindings: unknown) => ({ protocol: '0.1', bindings: [], serverBindings });
  it('accepts names and namespace patterns, and refuses anything else', () => {
    expect(validators.handshakeParams.check(params({ only: ['a', 'a.b.*', '$x'], confirm: [], confirmEffects: ['write', 'x-pay'] }))).toBe(true);
    for (const bad of [{ only: ['*'] }, { only: ['a.*.b'] }, { only: ['a.'] }, { confirm: ['a b'] }, { confirmEffects: ['pay'] }, { only: 'a' }]) {
      expect(validators.handshakeParams.check(params(bad)), JSON.stringify(bad)).toBe(false);
    }
  });
});
