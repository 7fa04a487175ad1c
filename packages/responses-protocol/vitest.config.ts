import { defineConfig } from 'vitest/config';

// The suite runs twice: in Node and in the edge-runtime environment (a non-Node global scope like
// Vercel/Cloudflare workers), which proves the package needs no Node API. `*.node.test.ts` files
// drive Node-only tools (a headless browser) and run in the Node project only.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    testTimeout: 30_000,
    projects: [
      { extends: true, test: { name: 'node', environment: 'node' } },
      {
        extends: true,
        test: { name: 'edge-runtime', environment: 'edge-runtime', exclude: ['src/**/*.node.test.ts'] },
      },
    ],
  },
});
