/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  // Integration suites share one PostgreSQL and start real Temporal servers: generous but bounded.
  testTimeout: 120_000,
  globalSetup: '<rootDir>/tests/helpers/global-setup.ts',
};
