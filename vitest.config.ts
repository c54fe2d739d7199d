import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', './test/helpers/summary-reporter.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration files start real servers on fixed 127.0.0.x addresses: one file at a time.
    fileParallelism: false,
    maxWorkers: 1,
  },
});
