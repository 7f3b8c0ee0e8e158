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
    hookTimeout: 180_000,
    // One file at a time: each starts processes (trainer, Chromium, electron-builder), and
    // two cores shared with them make timing-based waits flaky.
    fileParallelism: false,
    // A loaded machine can take seconds to start the trainer or redraw: wait, then fail.
    expect: { poll: { timeout: 30_000, interval: 100 } },
    watch: false,
  },
});
