import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Real sockets and child processes on a shared, loaded machine: be generous, never rely on timing.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
