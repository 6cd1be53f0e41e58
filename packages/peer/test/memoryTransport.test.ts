import { describe, it } from 'vitest';
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
