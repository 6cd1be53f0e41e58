import * as acorn from 'acorn';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DeclarationRewriter, rewriteDeclarations } from '../src/rewrite.js';
import { withSession } from './support.js';

// The real parser, counted: a remembered input must not be parsed again.
vi.mock('acorn', async (importOriginal) => {
  const real = await importOriginal<typeof acorn>();
  return { ...real, parse: vi.fn(real.parse) };
});
const parse = vi.mocked(acorn.parse);

describe('rewriteDeclarations', () => {
  afterEach(() => parse.mockClear());

  it('does not parse code whose words only contain let, const or class', () => {
    const code = 'const_ = 1; deleted.className = constructor.name; outlet';
    parse.mockClear();
    expect(rewriteDeclarations(code)).toBe(code);
    expect(parse).not.toHaveBeenCalled();
  });

  it('parses code naming one of them as a word, whatever stands around it', () => {
    for (const code of ['let a = 1', 'x;const a = 1', '$let;\nclass A {}', 'for (let i = 0; i < 1; i++) {}']) rewriteDeclarations(code);
    expect(parse).toHaveBeenCalledTimes(4);
    expect(rewriteDeclarations('x;const a = 1')).toBe('x;var   a = 1');
    expect(rewriteDeclarations('$let;\nclass A {}')).toBe('$let;\nvar A = class A {};');
  });
});

describe('DeclarationRewriter', () => {
  afterEach(() => parse.mockClear());

  it('parses an input once while it is among the recent ones, with the same result as rewriteDeclarations', () => {
    const rewriter = new DeclarationRewriter();
    const code = 'let x = 0; for (let i = 0; i < 2; i++) x += i; x';
    const expected = rewriteDeclarations(code);
    parse.mockClear();
    expect(rewriter.rewrite(code)).toBe(expected);
    expect(rewriter.rewrite(code)).toBe(expected);
    expect(rewriter.rewrite(code)).toBe(expected);
    expect(parse).toHaveBeenCalledTimes(1);
  });

  it('remembers at most 32 inputs, dropping the least recently used first', () => {
    const rewriter = new DeclarationRewriter();
    const inputs = Array.from({ length: 40 }, (_, i) => `const v${i} = ${i}; v${i}`);
    rewriter.rewrite(inputs[0]!);
    for (const code of inputs.slice(1, 32)) rewriter.rewrite(code);
    // Used again, the first input becomes the most recent: the second is now the oldest.
    rewriter.rewrite(inputs[0]!);
    for (const code of inputs.slice(32)) rewriter.rewrite(code);
    expect(rewriter.size).toBe(32);
    parse.mockClear();
    rewriter.rewrite(inputs[0]!);
    expect(parse).not.toHaveBeenCalled();
    rewriter.rewrite(inputs[1]!);
    expect(parse).toHaveBeenCalledTimes(1);
  });

  it('rewrites an input over 4096 characters each time without remembering it', () => {
    const rewriter = new DeclarationRewriter();
    const code = `const long = '${'a'.repeat(5000)}'; long.length`;
    expect(rewriter.rewrite(code)).toBe(rewriteDeclarations(code));
    parse.mockClear();
    expect(rewriter.rewrite(code)).toBe(rewriteDeclarations(code));
    expect(parse).toHaveBeenCalledTimes(2);
    expect(rewriter.size).toBe(0);
  });

  it('gives a session the same results when it evaluates the same declaring code again', () =>
    // On the test's own thread, where the parser is counted.
    withSession({ factory: { runIn: 'main' } }, async (runtime) => {
      const code = 'let n = (typeof n === "number" ? n : 0) + 1; n';
      parse.mockClear();
      expect(await runtime.eval(code)).toBe(1);
      expect(parse).toHaveBeenCalledTimes(1);
      parse.mockClear();
      expect(await runtime.eval(code)).toBe(2);
      expect(await runtime.eval(code)).toBe(3);
      expect(parse).not.toHaveBeenCalled();
    }));
});
