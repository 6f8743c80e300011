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
  // The OTLP exporter loads node:http with a dynamic import(), which jest's VM refuses unless it is transformed.
  transformIgnorePatterns: ['/node_modules/(?!(jose|@scure|@noble|@otplib|otplib|json-schema-faker|@opentelemetry/otlp-exporter-base)/)'],
  moduleNameMapper: { '^json-schema-faker$': '<rootDir>/node_modules/json-schema-faker/dist/index.js' },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  maxWorkers: 2,
  testTimeout: 60_000,
};
