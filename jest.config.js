/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  // Integration suites share one PostgreSQL and start real Temporal servers: generous but bounded.
  testTimeout: 120_000,
  // A child process leaked by a failing test must not keep Jest alive past the run: the verdict
  // is already known, and a hung run would turn a red result into an over-time one.
  forceExit: true,
  globalSetup: '<rootDir>/tests/helpers/global-setup.ts',
};
