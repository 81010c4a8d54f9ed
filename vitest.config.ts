import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    setupFiles: ['./tests/setup.ts'],
    // Vitest's default leaves one core free, which on a 2-core machine runs the files one at a
    // time; the suite waits mostly on I/O (local fakes, Redis, child processes), so use every core.
    maxWorkers: Math.max(2, availableParallelism()),
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
