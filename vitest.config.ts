import { defineConfig } from 'vitest/config'

/**
 * Two projects. `unit` runs in parallel and is what `npm test` runs between edits. `slow` holds the
 * suites that need a browser or PostgreSQL, measure timing to the millisecond, or push load at
 * scale: they run one file at a time, after `unit`, so nothing else spoils their figures
 * (`npm run test:all`, and CI).
 * `unit` asks for two workers: vitest's default on a 2-core machine is one (cores − 1), and its
 * files mostly wait on child processes, so two halve its wall time.
 */
const SLOW = [
  // a browser (chromium)
  'test/report-html.test.ts',
  'test/serve-dashboard.test.ts',
  'test/report-sessions.test.ts',
  'test/kinds-report.test.ts',
  // PostgreSQL (when LLMBENCH_TEST_PG names a database)
  'test/store.test.ts',
  // timing to the millisecond
  'test/accuracy.test.ts',
  'test/protocols.test.ts',
  'test/quirks.test.ts',
  'test/simulator-protocols.test.ts',
  'test/sessions.test.ts',
  // load at scale, threads, shards, whole example projects
  'test/load-simulator.test.ts',
  'test/shards.test.ts',
  'test/threads.test.ts',
  'test/examples.test.ts',
  'test/kubernetes-example.test.ts',
  // request kinds end to end: 1,000-request levels against the simulator, the CLI with bench files
  'test/kinds-simulator.test.ts',
  'test/kinds-cli.test.ts',
]

const shared = { testTimeout: 30_000, hookTimeout: 30_000 }

export default defineConfig({
  test: {
    projects: [
      { test: { ...shared, name: 'unit', include: ['test/**/*.test.ts'], exclude: SLOW, maxWorkers: 2, sequence: { groupOrder: 0 } } },
      { test: { ...shared, name: 'slow', include: SLOW, fileParallelism: false, sequence: { groupOrder: 1 } } },
    ],
  },
})
