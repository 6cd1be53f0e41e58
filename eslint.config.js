// One lint configuration for the whole repository. Each package's `lint` script runs ESLint from its
// own folder and ESLint finds this file by walking up, so the rules are the same everywhere.
// The rules are chosen to catch defects (lost promises, dead values, needless casts, missed
// switch cases), not to format code.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Plain JavaScript that no tsconfig includes: launchers, scripts and test fixtures run by Node. */
const UNTYPED_JS = ['scripts/*.mjs', '*/*/bin/*.js', 'packages/*/scripts/*.mjs', 'packages/*/bench/*.mjs', '*/*/test/fixtures/*.{js,mjs}', 'bench/src/*.js', 'e2e/test/fixtures/*.js'];
const NO_UNSAFE_ANY_OFF = {
  '@typescript-eslint/no-unsafe-argument': 'off',
  '@typescript-eslint/no-unsafe-assignment': 'off',
  '@typescript-eslint/no-unsafe-call': 'off',
  '@typescript-eslint/no-unsafe-member-access': 'off',
  '@typescript-eslint/no-unsafe-return': 'off',
};

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/.turbo/**',
      'apps/playground/build/out/**',
      'bench/results/**',
      'spec/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        // Each file is checked against the nearest tsconfig.json, the same program `typecheck` builds.
        projectService: {
          // Small launchers and scripts that no tsconfig includes; they still get type-aware rules.
          allowDefaultProject: [...UNTYPED_JS],
          maximumDefaultProjectFileMatchCount_THIS_WILL_SLOW_DOWN_LINTING: 32,
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // An unused value is often a forgotten step; a leading underscore marks one kept on purpose.
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      // A `void promise` marks a promise whose errors are handled elsewhere (or cannot happen).
      '@typescript-eslint/no-floating-promises': ['error', { ignoreVoid: true }],
      // Handlers passed where a void callback is expected (event emitters, Node streams) are fine
      // when they handle their own errors; the check stays on for conditions and spreads.
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false, attributes: false } }],
      // A union whose new member is not handled is a silent fall-through.
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true, requireDefaultForNonUnion: false },
      ],
      // A variable assigned once but read first by a callback declared before it cannot be const.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // `interface CallOptions extends RequestOptions {}` names a type users may see grow later.
      '@typescript-eslint/no-empty-object-type': ['error', { allowInterfaces: 'with-single-extends' }],
      // `new (...args: any[]) => T` is how TypeScript spells "any constructor".
      '@typescript-eslint/no-explicit-any': ['error', { ignoreRestArgs: true }],
      '@typescript-eslint/only-throw-error': 'error',
      // Passing on a caught `unknown` is how an error is relayed; the check is for made-up reasons.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
      '@typescript-eslint/return-await': ['error', 'in-try-catch'],
      // An `async` function without `await` still turns a synchronous throw into a rejection, which
      // is what the many Promise-returning interface methods here promise; the rule only adds noise.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/await-thenable': 'error',
      // Option callbacks throughout the API are declared with method syntax but are plain functions
      // that never use `this`, so passing them on is the intended use, not a lost receiver.
      '@typescript-eslint/unbound-method': 'off',
      // `const session = this` names the receiver for the methods of an object literal built inside
      // a class method; it is deliberate and reads better than arrow-function workarounds.
      '@typescript-eslint/no-this-alias': 'off',
    },
  },
  {
    // TypeScript itself reports undefined names in type-checked files.
    files: ['**/*.ts', '**/*.tsx', '**/*.mts', '**/*.cts'],
    rules: { 'no-undef': 'off' },
  },
  {
    // Launchers and scripts run on Node.
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: globals.node },
  },
  {
    // Without type annotations every value from an import or a parse is `any`; the promise rules
    // still apply there.
    files: UNTYPED_JS,
    rules: NO_UNSAFE_ANY_OFF,
  },
  {
    // The guest prelude runs inside QuickJS on values the guest made, typed `any` where they are
    // walked. The file is one expression the runtime evaluates; it throws its own small sentinels
    // (caught within the prelude, cheaper than errors with stacks); its empty catches skip guest
    // getters that throw, on purpose.
    files: ['packages/runtime-quickjs/src/prelude.js'],
    languageOptions: { globals: {} },
    rules: {
      ...NO_UNSAFE_ANY_OFF,
      '@typescript-eslint/no-unused-expressions': 'off',
      '@typescript-eslint/only-throw-error': 'off',
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
  {
    // Guest code that a test evaluates in a session, where the session's bindings are the globals.
    files: ['apps/client/test/fixtures/code.js'],
    rules: { 'no-undef': 'off' },
  },
  {
    // Tests reach into parsed messages and loosely typed results on purpose; the assertions check them.
    files: ['**/test/**', 'e2e/**'],
    rules: { ...NO_UNSAFE_ANY_OFF, '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // The playground's browser code and its Node-side build and tests have separate tsconfigs, and the
    // project service only looks for files named tsconfig.json.
    files: ['apps/playground/vite.config.ts', 'apps/playground/build/**', 'apps/playground/test/**'],
    languageOptions: {
      parserOptions: { projectService: false, project: './apps/playground/tsconfig.node.json' },
    },
  },
  {
    // Test configurations import the shared base by its .ts path, which no tsconfig allows; they hold
    // no logic worth type-aware rules.
    files: ['**/vitest.config.ts', 'config/vitest.base.ts', 'eslint.config.js'],
    extends: [tseslint.configs.disableTypeChecked],
  },
);
