import { defineConfig } from 'vitest/config';

// Real sockets and a spawned process on a shared, loaded machine: generous timeouts (the tests
// themselves never wait on fixed sleeps).
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
