import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    // Integration tests start real servers on loopback; two cores run them best a few at a time.
    pool: 'forks',
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
