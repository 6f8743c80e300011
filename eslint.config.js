// ESLint 9 flat config (CommonJS: package.json has no "type": "module"). Syntax-only rules on purpose
// (typescript-eslint `recommended`, not the type-checked sets): lint stays fast, and `tsc` does the type checking.
// Architecture (which folder may import which) is checked separately by dependency-cruiser: .dependency-cruiser.cjs.
const { defineConfig, globalIgnores } = require('eslint/config');
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');

/** Node.js globals for the plain-JavaScript files (scripts and config files); TypeScript files get them from @types/node. */
const nodeGlobals = Object.fromEntries(
  [
    'AbortController', 'AbortSignal', 'Buffer', 'TextDecoder', 'TextEncoder', 'URL', 'URLSearchParams',
    'clearImmediate', 'clearInterval', 'clearTimeout', 'console', 'fetch', 'global', 'process', 'queueMicrotask',
    'setImmediate', 'setInterval', 'setTimeout', 'structuredClone',
  ].map((name) => [name, 'readonly']),
);
const commonJsGlobals = { require: 'readonly', module: 'writable', exports: 'writable', __dirname: 'readonly', __filename: 'readonly' };

const CONFIG_FILES = ['*.config.{js,cjs,ts}', '.dependency-cruiser.cjs'];

module.exports = defineConfig([
  globalIgnores(['dist/', 'coverage/', 'node_modules/', 'src/generated/', '.keys/']),

  {
    name: 'credit-partner/all',
    files: ['src/**/*.ts', 'test/**/*.{js,ts}', 'scripts/**/*.{js,ts}', ...CONFIG_FILES],
    extends: [js.configs.recommended, tseslint.configs.recommended],
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      'no-unused-vars': 'off', // replaced by the TypeScript-aware rule below (for .js files too)
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },

  {
    name: 'credit-partner/src',
    files: ['src/**/*.ts'],
    rules: {
      // The server logs with pino (src/lib/logger.ts): structured, and PII is redacted. console.* is neither.
      'no-console': 'error',
    },
  },

  {
    name: 'credit-partner/tests',
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },

  {
    name: 'credit-partner/scripts-and-configs',
    files: ['scripts/**/*.{js,ts}', ...CONFIG_FILES],
    languageOptions: { globals: nodeGlobals },
    rules: {
      'no-console': 'off',
    },
  },

  {
    name: 'credit-partner/commonjs',
    files: ['scripts/**/*.js', 'test/**/*.js', '*.config.{js,cjs}', '.dependency-cruiser.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { ...nodeGlobals, ...commonJsGlobals } },
    rules: {
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
]);
