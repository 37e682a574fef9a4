// The habits STYLE.md asks for, checked: promises awaited or voided, type-only
// imports marked, no console, braces or a single-line body, and no .only left
// in a test. Type-aware rules use the test tsconfig, which sees every file.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'bench/out/**',
      'release/**',
      'node_modules/**',
      '**/*.mjs',
      'eslint.config.js',
      'vitest.config.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: {
      parserOptions: { project: './tsconfig.test.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-console': 'error',
      curly: ['error', 'multi-line'],
      'no-restricted-properties': [
        'error',
        { object: 'it', property: 'only' },
        { object: 'describe', property: 'only' },
      ],
    },
  },
  // The window has its own runtime (the DOM, no Node) and so its own tsconfig.
  {
    files: ['renderer/src/**/*.ts', 'renderer/src/**/*.tsx'],
    languageOptions: {
      parserOptions: { project: './renderer/tsconfig.json', tsconfigRootDir: import.meta.dirname },
    },
  },
);
