import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import { builtinModules } from 'node:module';

// Every Node built-in, bare and `node:`-prefixed: none may reach the workflow sandbox.
const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

/** The rooms of DESIGN.md §6: who may import whom. */
const rooms = (patterns) => ({ '@typescript-eslint/no-restricted-imports': ['error', { patterns }] });

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.tools/', '.dev/', 'coverage/', 'api/public/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js', '*.mjs'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': ['error', { ignoreRestArgs: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: { module: 'writable', require: 'readonly', __dirname: 'readonly' } },
  },
  {
    // Workflow code is bundled into Temporal's deterministic sandbox.
    files: ['workflows/**/*.ts'],
    rules: {
      'no-console': 'error',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          // `paths` match exact names: the built-in `domain` must not shadow our domain/ folder.
          paths: nodeBuiltins.map((name) => ({ name, message: 'no Node built-ins in workflows' })),
          patterns: [
            { group: ['node:*'], message: 'no Node built-ins in workflows' },
            {
              group: ['pg', 'kysely', 'openai', 'winston', '@opentelemetry/sdk-*'],
              message: 'no I/O libraries in workflows',
            },
            {
              group: ['**/activities', '**/activities/**', '**/db/**', '**/api/**', '**/lib/**', '**/providers/**'],
              allowTypeImports: true,
              message: 'workflows import activities, db, api, lib and providers as types only',
            },
          ],
        },
      ],
    },
  },
  {
    // domain/ is pure: it imports nothing of ours but domain/, and never Temporal or the database.
    files: ['domain/**/*.ts'],
    rules: rooms([
      {
        group: [
          '**/activities/**',
          '**/activities',
          '**/db/**',
          '**/api/**',
          '**/workflows/**',
          '**/lib/**',
          '**/providers/**',
          '**/scripts/**',
        ],
        message: 'domain/ imports only domain/',
      },
      {
        group: ['@temporalio/*', 'pg', 'kysely', 'openai', 'express'],
        message: 'domain/ holds no I/O and no Temporal',
      },
    ]),
  },
  {
    files: ['db/**/*.ts'],
    rules: rooms([
      {
        group: ['**/activities/**', '**/activities', '**/api/**', '**/workflows/**', '**/providers/**'],
        message: 'db/ imports only domain/ types',
      },
    ]),
  },
  {
    files: ['api/**/*.ts'],
    rules: rooms([
      { group: ['**/activities/**', '**/activities', '**/providers/**'], message: 'api/ calls no activity code' },
    ]),
  },
  {
    // Migrations are frozen: they take an untyped Kysely and never import application code.
    files: ['migrations/**/*.ts', 'db/migrate.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // The admin SPA talks to the API over HTTP only, and renders what users and models wrote as text.
    files: ['ui/**/*.ts', 'ui/**/*.tsx'],
    rules: {
      ...rooms([{ group: ['../../**'], message: 'ui/ imports only ui/: it talks to the API over HTTP' }]),
      'no-restricted-syntax': [
        'error',
        { selector: "JSXAttribute[name.name='dangerouslySetInnerHTML']", message: 'render text as text, never HTML' },
        { selector: 'MemberExpression[property.name=/^(innerHTML|outerHTML)$/]', message: 'render text as text' },
        { selector: "CallExpression[callee.property.name='insertAdjacentHTML']", message: 'render text as text' },
      ],
    },
  },
  prettier,
);
