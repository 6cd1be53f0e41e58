import { afterEach, describe, expect, it, vi } from 'vitest';

const samples = [
  '',
  'plain ascii',
  'é and ß',
  '€ ✓ 中文',
  '😀 a pair',
  '\uD800',
  '\uDC00',
  'lone high \uD83D then text',
  'lone high at the end \uD83D',
  'lone low \uDE00 in the middle',
  'two highs \uD83D\uD83D\uDE00',
  'reversed \uDE00\uD83D',
];

type Utf8 = typeof import('../src/utf8.js');

/** The module as loaded on Node (native counter) and where `Buffer` does not exist (the loop). */
const counters: [string, () => Promise<Utf8>][] = [
  ['with Node’s Buffer', () => import('../src/utf8.js')],
  [
    'without Buffer',
    async () => {
      vi.resetModules();
      vi.stubGlobal('Buffer', undefined);
      return import('../src/utf8.js');
    },
  ],
];

afterEach(() => {
  vi.unstubAllGlobals();
  vi.resetModules();
});

describe.each(counters)('UTF-8 byte counting %s', (_, load) => {
  it.each(samples)('counts %j as TextEncoder encodes it', async (text) => {
    const { exceedsUtf8Bytes, utf8ByteLength } = await load();
    const encoded = new TextEncoder().encode(text).length;
    expect(utf8ByteLength(text)).toBe(encoded);
    expect(exceedsUtf8Bytes(text, encoded)).toBe(false);
    if (encoded > 0) expect(exceedsUtf8Bytes(text, encoded - 1)).toBe(true);
  });

  it('counts a lone high surrogate as U+FFFD and still counts the character after it', async () => {
    const { utf8ByteLength } = await load();
    // Three bytes for the replacement character, one for "x": the "x" is not swallowed into a pair.
    expect(utf8ByteLength('\uD800x')).toBe(4);
    expect(utf8ByteLength('\uD800\uD800')).toBe(6);
    expect(utf8ByteLength('\uD83D\uDE00')).toBe(4);
  });
});
