import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration tests start real servers (s3rver) and worker processes; 2 cores, so keep files parallel
    // but bounded. 60 s per test covers a 10-job fleet run on this machine with room to spare.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
