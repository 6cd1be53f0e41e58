import { describe, expect, it } from 'vitest';
import { exceedsUtf8Bytes, utf8ByteLength } from '../src/utf8.js';

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

describe('UTF-8 byte counting', () => {
  it.each(samples)('counts %j as TextEncoder encodes it', (text) => {
    const encoded = new TextEncoder().encode(text).length;
    expect(utf8ByteLength(text)).toBe(encoded);
    expect(exceedsUtf8Bytes(text, encoded)).toBe(false);
    if (encoded > 0) expect(exceedsUtf8Bytes(text, encoded - 1)).toBe(true);
  });

  it('counts a lone high surrogate as U+FFFD and still counts the character after it', () => {
    // Three bytes for the replacement character, one for "x": the "x" is not swallowed into a pair.
    expect(utf8ByteLength('\uD800x')).toBe(4);
    expect(utf8ByteLength('\uD800\uD800')).toBe(6);
    expect(utf8ByteLength('\uD83D\uDE00')).toBe(4);
  });
});
