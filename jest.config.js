/** Tests run TypeScript through ts-jest (transpile only: `npm test` type-checks first with tsc). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.[tj]s$': ['ts-jest', { tsconfig: { allowJs: true, isolatedModules: true, experimentalDecorators: true, esModuleInterop: true, resolveJsonModule: true } }],
  },
  // jose 6, otplib's crypto dependencies (@noble, @scure) and json-schema-faker are ESM-only: let ts-jest transform
  // them too. json-schema-faker exports only an `import` condition, which jest's CommonJS resolver does not take.
  transformIgnorePatterns: ['/node_modules/(?!(jose|@scure|@noble|@otplib|otplib|json-schema-faker)/)'],
  moduleNameMapper: { '^json-schema-faker$': '<rootDir>/node_modules/json-schema-faker/dist/index.js' },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  maxWorkers: 2,
  testTimeout: 60_000,
};
