import { describe, expect, it } from 'vitest';
import { isIncomplete } from '../src/index.js';

describe('isIncomplete', () => {
  it.each([
    'const o = await getOrder({',
    'foo(',
    '1 +',
    'if (a) {',
    'function f() {\n  return 1',
    '`line one',
    '/* still a comment',
    'for (const x of xs)',
  ])('waits for more after %j', (code) => {
    expect(isIncomplete(code)).toBe(true);
  });

  it.each([
    "const o = await getOrder({\n  id: 'o_001' })",
    'o.total',
    'await slowLookup({ ms: 1 })',
    'let x = ;',
    'x)',
    "'unterminated string",
    '',
  ])('sends %j as it is', (code) => {
    expect(isIncomplete(code)).toBe(false);
  });
});
