// Flat config: typescript-eslint's recommended rules for all TypeScript, type-aware promise checks, and the
// workflow sandbox boundary (workflow code must stay deterministic: no Node, no I/O, no activity/worker code).
import { builtinModules } from 'node:module';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

// Temporal's workflow bundle only provides 'assert'; every other builtin is unavailable or non-deterministic.
const bannedBuiltins = builtinModules.filter((name) => name !== 'assert');

const SANDBOX = 'Workflow code runs in the Temporal sandbox: deterministic, no Node APIs and no I/O. Do this in an activity.';

export default defineConfig(
  { ignores: ['**/node_modules/', 'dist/', 'generated/', '.tools/', 'coverage/'] },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommended],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // forgetting to await an activity, a workflow API or a page call is a silent bug
      '@typescript-eslint/no-floating-promises': 'error',
      // Express recognises error handlers by their four parameters; unused ones are named _x
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['workflows/**/*.ts'],
    ignores: ['workflows/**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            ...bannedBuiltins.map((name) => ({ name, message: SANDBOX })),
            {
              name: '../activities',
              allowTypeImports: true,
              message: 'Workflows may only import types from activities (use `import type`); call them via proxyActivities.',
            },
          ],
          patterns: [
            { group: ['node:*'], message: SANDBOX },
            {
              group: ['@temporalio/activity', '@temporalio/client', '@temporalio/worker'],
              message: 'Workflows may use only @temporalio/workflow and @temporalio/common.',
            },
            {
              group: ['puppeteer*', 'axe-core', 'axe-core/*', '@prisma/*', 'pino*', 'express', 'express/*'],
              message: SANDBOX,
            },
            { group: ['../lib', '../lib/*', '../api', '../api/*', '../workers', '../workers/*'], message: SANDBOX },
            {
              group: ['../activities/*'],
              allowTypeImports: true,
              message: 'Workflows may only import types from activities (use `import type`); call them via proxyActivities.',
            },
          ],
        },
      ],
    },
  },
);
