import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'out/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The numeric core and the search-planning maths stay pure: no I/O, no clock, no ambient randomness.
    files: ['src/model/**/*.ts', 'src/search/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['node:*', 'fs', 'path', 'os', 'worker_threads'] }],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'src/model is pure: pass an RNG in.' },
        { object: 'Date', property: 'now', message: 'src/model is pure: pass time in.' },
        { object: 'performance', property: 'now', message: 'src/model is pure: pass time in.' },
      ],
    },
  },
  {
    files: ['scripts/**/*.{js,mjs}', 'bench/**/*.{js,mjs}', 'examples/**/*.{js,mjs}', 'scripts/make-forcing', 'scripts/push-job'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', performance: 'readonly' } },
  },
);
