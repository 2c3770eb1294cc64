// Lint: typescript-eslint's recommended rules, plus the few that guard our own conventions.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'e2e/.build/', 'e2e/.tmp/', 'examples/*/dist/', 'examples/*/node_modules/', 'node_modules/', 'test-results/', 'playwright-report/', 'bench/results/', 'demo-output/'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': 'off',
      eqeqeq: ['error', 'always'],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Library code: no window in the worker, no clients in the page (tsconfig libs enforce most of it).
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-syntax': ['error', { selector: "TSEnumDeclaration[const=true]", message: 'No const enum (erasableSyntaxOnly).' }],
    },
  },
  {
    files: ['e2e/**/*.ts', 'test/**/*.ts'],
    rules: {
      // Playwright fixtures destructure `{}` when they need nothing.
      'no-empty-pattern': 'off',
    },
  },
);
