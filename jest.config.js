/** @type {import('jest').Config} */
const swc = (tsx) => [
  '@swc/jest',
  {
    // Pages are typed JSX rendered by Preact (tsconfig.json: jsx react-jsx, jsxImportSource preact).
    jsc: {
      parser: { syntax: 'typescript', tsx },
      target: 'es2022',
      transform: { react: { runtime: 'automatic', importSource: 'preact' } },
    },
    module: { type: 'commonjs' },
  },
];

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.tsx$': swc(true), '^.+\\.(t|j)s$': swc(false) },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 60_000,
  maxWorkers: 2,
  // A stray keep-alive socket or gRPC channel must never keep CI waiting once every test has finished.
  forceExit: true,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
