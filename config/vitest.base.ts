import { defineConfig } from 'vitest/config';

/** Shared vitest settings: sibling packages resolve to their sources, so tests need no build. */
export default defineConfig({
  resolve: { conditions: ['@scomp/source'] },
  ssr: { resolve: { conditions: ['@scomp/source'] } },
  test: {
    include: ['test/**/*.test.ts'],
    typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.test.json' },
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
  },
});
