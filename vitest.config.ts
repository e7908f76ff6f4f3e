import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Integration tests start real servers on fixed loopback ports; files run one at a time
    // so two servers never race for a port, while tests inside a file stay sequential too.
    fileParallelism: false,
  },
});
