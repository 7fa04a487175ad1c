import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // End-to-end tests spawn real CLI processes against the emulator on a shared 2-core machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The test workers mostly wait on CLI subprocesses; two keep both cores of a small machine busy.
    maxWorkers: 2,
  },
});
