// Flat config: typescript-eslint's recommended rules for all TypeScript, type-aware promise checks, the workflow
// sandbox boundary (workflow code must stay deterministic: no Node, no I/O, no activity/worker code), and the
// direction of imports between the top-level folders (one no-restricted-imports block per folder: in flat config
// the last block that sets a rule for a file wins, so each folder's block lists all of its bans).
import { builtinModules } from 'node:module';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

// Temporal's workflow bundle only provides 'assert'; every other builtin is unavailable or non-deterministic.
const bannedBuiltins = builtinModules.filter((name) => name !== 'assert');

const SANDBOX = 'Workflow code runs in the Temporal sandbox: deterministic, no Node APIs and no I/O. Do this in an activity.';

// Imports point down: api, workers, scripts → workflows, activities → monitoring, audits, targets, tenancy → lib → core.
// A top-level project folder reached by a relative import, from any depth ('../lib', '../../core/contracts').
const folder = (...names) => `^(\\.\\./)+(${names.join('|')})(/.*)?$`;
const DOMAIN = ['activities', 'workflows', 'api', 'workers', 'scripts', 'test', 'monitoring', 'targets', 'tenancy', 'audits'];
const LAYERS =
  'Imports point down: api/workers/scripts → workflows/activities → monitoring/targets/tenancy → lib → core (README "Architecture").';
const banned = (names, message = LAYERS) => ({ regex: folder(...names), message });
const typeOnly = (names, message) => ({ regex: folder(...names), allowTypeImports: true, message });
// Outside workflows/, workflow code is referenced by type only (start workflows by name with `typeof fn`); what
// other folders need from it lives in core/.
const WORKFLOWS_TYPES_ONLY = typeOnly(
  ['workflows'],
  'Import workflows/ for types only (start a workflow by its name, typed with `typeof fn`); shared values belong in core/.',
);
const restrict = (files, patterns, extra = {}) => ({
  files,
  ...extra,
  rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns }] },
});

// Node-free and deterministic: core/ is imported by workflows (the sandbox), the API, activities and the UI.
const SANDBOX_PATHS = bannedBuiltins.map((name) => ({ name, message: SANDBOX }));
const SANDBOX_PATTERNS = [
  { group: ['node:*'], message: SANDBOX },
  {
    group: ['@temporalio/activity', '@temporalio/client', '@temporalio/worker'],
    message: 'Workflows may use only @temporalio/workflow and @temporalio/common.',
  },
  {
    group: ['puppeteer*', 'axe-core', 'axe-core/*', '@prisma/*', 'pino*', 'express', 'express/*', 'prom-client', 'zod'],
    message: SANDBOX,
    allowTypeImports: true,
  },
];

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
            ...SANDBOX_PATHS,
            {
              name: '../activities',
              allowTypeImports: true,
              message: 'Workflows may only import types from activities (use `import type`); call them via proxyActivities.',
            },
          ],
          patterns: [
            ...SANDBOX_PATTERNS,
            banned(
              ['lib', 'api', 'workers', 'scripts', 'test', 'monitoring', 'targets', 'tenancy'],
              `${SANDBOX} Workflows import only core/ (and activity types).`,
            ),
            typeOnly(['activities'], 'Workflows may only import types from activities (use `import type`); call them via proxyActivities.'),
          ],
        },
      ],
    },
  },
  {
    // core/: contracts, queue names, deadlines, scoring. Loaded inside the workflow sandbox, so the same bans, and
    // nothing of the project outside core/ (not even @temporalio/workflow: the API and monitoring import core too).
    files: ['core/**/*.ts'],
    ignores: ['core/**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: SANDBOX_PATHS,
          patterns: [
            ...SANDBOX_PATTERNS,
            {
              group: ['@temporalio/workflow'],
              message: 'core/ is imported outside the sandbox too: keep @temporalio/workflow in workflows/.',
            },
            { regex: '^\\.\\./', message: 'core/ imports nothing of the project outside core/.' },
          ],
        },
      ],
    },
  },
  // lib/: infrastructure (env, logger, prisma, temporal, metrics, breakers' store). It may use core/ types, no domain.
  restrict(['lib/**/*.ts'], [banned(DOMAIN, `lib/ is infrastructure: it imports core/ at most, never a domain folder. ${LAYERS}`)]),
  // targets/ (URL and address safety) and tenancy/ (per-client quota): core and lib only.
  restrict(['targets/**/*.ts'], [banned(DOMAIN.filter((d) => d !== 'targets'))], { ignores: ['**/*.test.ts'] }),
  restrict(['tenancy/**/*.ts'], [banned(DOMAIN.filter((d) => d !== 'tenancy'))], { ignores: ['**/*.test.ts'] }),
  // monitoring/: core, lib and targets. The shapes it shares with activities and workflows (browser pool stats,
  // workflow inputs) live in core/, so not even activity types are needed.
  // audits/: site-audit rules (URL normalisation, scope, robots, sitemaps, templates, the site report): core, lib, targets.
  restrict(['audits/**/*.ts'], [banned(['activities', 'workflows', 'api', 'workers', 'scripts', 'test', 'monitoring', 'tenancy'])], {
    ignores: ['**/*.test.ts'],
  }),
  restrict(['monitoring/**/*.ts'], [banned(['activities', 'workflows', 'api', 'workers', 'scripts', 'test', 'tenancy', 'audits'])], {
    ignores: ['**/*.test.ts'],
  }),
  // activities/: core, lib, targets, tenancy, monitoring; workflows for types.
  restrict(['activities/**/*.ts'], [banned(['api', 'workers', 'scripts', 'test']), WORKFLOWS_TYPES_ONLY], { ignores: ['**/*.test.ts'] }),
  // api/ and workers/ are the top: anything below, but workflows only as types and never each other.
  restrict(['api/**/*.ts'], [banned(['workers', 'scripts', 'test']), WORKFLOWS_TYPES_ONLY], { ignores: ['**/*.test.ts'] }),
  restrict(['workers/**/*.ts'], [banned(['api', 'scripts', 'test']), WORKFLOWS_TYPES_ONLY], { ignores: ['**/*.test.ts'] }),
);
