/**
 * End-to-end tests: Debian's Chromium, driven by playwright-core, against browser mode
 * with a real (forked) trainer. Needs `npm run build` first (npm run test:e2e does it).
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.ts'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 240_000,
    hookTimeout: 120_000,
    watch: false,
  },
});
