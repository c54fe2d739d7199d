import { defineConfig } from 'vitest/config';

// Integration files start real servers on their own 127.x.y.z subnet (test/helpers/cluster.ts), so two can
// run at once. The ones that need something machine-wide run alone afterwards: fixed ports on 127.0.0.1 (the
// embedded default), a real terminal (tmux) or a browser.
const alone = [
  'test/integration/embedded.test.ts',
  'test/integration/spine.test.ts',
  'test/integration/api-admin.test.ts',
  'test/integration/security-auth.test.ts',
  'test/integration/http-security.test.ts',
  'test/integration/monitor.test.ts',
  'test/integration/console-browser.test.ts',
  'test/integration/init.test.ts',
  'test/integration/progress.test.ts',
  'test/cli/serve.test.ts',
  'test/cli/token.test.ts',
  'test/cli/download.test.ts',
  'test/cli/upload.test.ts',
];

const shared = {
  testTimeout: 60_000,
  hookTimeout: 60_000,
  // Every storage worker the suite starts warms up (warm-up.ts), briefly: the path is always exercised, and the
  // suite's many starts do not each pay the full default.
  env: { FDFS_WARM_UP: '50' },
};

export default defineConfig({
  test: {
    reporters: ['default', './test/helpers/summary-reporter.ts'],
    projects: [
      { test: { ...shared, name: 'together', include: ['test/**/*.test.ts'], exclude: alone, maxWorkers: 2, sequence: { groupOrder: 0 } } },
      { test: { ...shared, name: 'alone', include: alone, maxWorkers: 1, fileParallelism: false, sequence: { groupOrder: 1 } } },
    ],
  },
});
