// ESLint flat config: typescript-eslint's type-checked rules over the TypeScript (src, test, guard),
// the recommended rules over the browser console and the Node scripts; Prettier owns formatting,
// so eslint-config-prettier turns off every stylistic rule that would fight it.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist/**', 'guard/dist/**', 'node_modules/**', 'test/e2e/gateway/**', 'coverage/**'] },
  {
    files: ['src/**/*.ts', 'test/**/*.ts', 'guard/src/**/*.ts', 'vitest.config.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.strictTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: globals.node,
    },
    rules: {
      // With noUncheckedIndexedAccess, `x!` after a check the compiler cannot follow (a Map.get after a has, an
      // index inside its bounds) is the house idiom; the type checker still guards everything else.
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Numbers and booleans read well in messages; objects, undefined and null still need an explicit String().
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      // `() => void work()` and `(x) => set.add(x)` arrow shorthands are fine; a void call used as a value elsewhere is not.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      // `const { secret: _, ...rest } = x` is how a key is left out of a copy, and a leading `_` marks a binding kept
      // on purpose (an interface's parameter, a counting loop); anything else unused is still reported.
      // An `async` method with no `await` is how this code implements a Promise-returning interface (a Source, a test
      // double): a throw inside it becomes a rejection, which callers rely on; dropping `async` would make it a sync throw.
      '@typescript-eslint/require-await': 'off',
      // A `let` that a closure reads before its one assignment (a hook wired up before the object it calls exists) stays
      // `let`: as a `const` the closure would throw in its temporal dead zone instead of seeing undefined.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true, argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['console/**/*.js'],
    extends: [js.configs.recommended],
    languageOptions: { sourceType: 'module', globals: globals.browser },
  },
  {
    files: ['scripts/**/*.mjs', 'eslint.config.js'],
    extends: [js.configs.recommended],
    languageOptions: { sourceType: 'module', globals: globals.node },
  },
  prettier,
);
