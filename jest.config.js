/** Tests run TypeScript through ts-jest (transpile only: `npm test` type-checks first with tsc). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.[tj]s$': ['ts-jest', { tsconfig: { allowJs: true, isolatedModules: true, experimentalDecorators: true, esModuleInterop: true, resolveJsonModule: true } }],
  },
  // jose 6 and otplib's crypto dependencies (@noble, @scure) are ESM-only: let ts-jest transform them too.
  transformIgnorePatterns: ['/node_modules/(?!(jose|@scure|@noble|@otplib|otplib)/)'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  maxWorkers: 2,
  testTimeout: 60_000,
};
