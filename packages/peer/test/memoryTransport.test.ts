import { describe, expect, it } from 'vitest';
import { createMemoryTransportPair, transportConformance } from '../src/testing/index.js';

describe('memory transport pair', () => {
  transportConformance({
    describe,
    it,
    createPair: async () => {
      const [client, server] = createMemoryTransportPair();
      return { client, server, dispose: async () => {} };
    },
  });
});

describe('utf8 helpers', () => {
  it('count UTF-8 bytes like TextEncoder, including astral and lone surrogates', async () => {
    const { exceedsUtf8Bytes, utf8ByteLength } = await import('../src/authoring.js');
    for (const text of ['', 'abc', 'é', '€', '😀', 'a\uD800b', '\uDC00', 'x😀é€'.repeat(50)]) {
      const expected = new TextEncoder().encode(text).length;
      expect(utf8ByteLength(text)).toBe(expected);
      expect(exceedsUtf8Bytes(text, expected)).toBe(false);
      if (expected > 0) expect(exceedsUtf8Bytes(text, expected - 1)).toBe(true);
    }
  });
});
