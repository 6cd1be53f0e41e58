import { defineConfig } from 'vitest/config';

/** Shared vitest settings: sibling packages resolve to their sources, so tests need no build. */
export default defineConfig({
  resolve: { conditions: ['@scomp/source'] },
  ssr: { resolve: { conditions: ['@scomp/source'] } },
  test: {
    include: ['test/**/*.test.ts'],
    typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.test.json' },
    // Liveness bounds, not speed goals: a test that spawns servers and clients can take many times
    // its idle duration on a loaded 2-core machine, and only a hang should fail it.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
