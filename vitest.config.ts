/**
 * Unit and integration tests: Node only, one forked process per file (TF.js keeps global
 * backend state), generous timeouts for small training runs. Browser (e2e) tests under
 * test/e2e are run separately.
 */
import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: [...configDefaults.exclude, 'test/e2e/**'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    watch: false,
  },
});
