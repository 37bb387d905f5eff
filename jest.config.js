// Two projects in `npm test`: fast unit tests beside the code, in parallel workers, and integration tests against the
// real stack, one file at a time (they share one Temporal dev server, one database and a 2-core machine's Chromium).
// jest has no per-project maxWorkers: the integration and soak projects get a runner that tells jest it is serial.
// Packages that ship ES modules only: Node requires them natively, jest's module system does not (without
// --experimental-vm-modules), so jest compiles them to CommonJS. puppeteer-core 25 brings its own.
const ESM_ONLY = ['cockatiel', 'puppeteer-core', '@puppeteer/browsers', 'chromium-bidi'];
const esmOnly = `(?:${ESM_ONLY.join('|')})/`;
const transform = {
  '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }],
  [`^.+/node_modules/${esmOnly}.+\\.js$`]: ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
};
const transformIgnorePatterns = [`/node_modules/(?!${esmOnly})`];
module.exports = {
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      testMatch: ['<rootDir>/{core,targets,tenancy,monitoring,audits,activities,api,lib,workflows,workers,scripts}/**/*.test.ts'],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      testMatch: ['<rootDir>/test/**/*.int.test.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
      runner: '<rootDir>/test/support/serial-runner.js',
      setupFilesAfterEnv: ['<rootDir>/test/support/jest-setup.ts'],
      slowTestThreshold: 60,
    },
    {
      // Long acceptance runs (`npm run soak:bulk`): same setup as integration, never part of `npm test`.
      displayName: 'soak',
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      testMatch: ['<rootDir>/test/soak/**/*.soak.test.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
      runner: '<rootDir>/test/support/serial-runner.js',
      setupFilesAfterEnv: ['<rootDir>/test/support/jest-setup.ts'],
    },
    {
      // The production topology on a real Temporal cluster (`npm run test:cluster`, issue #16): starts everything
      // itself (no global setup), never part of `npm test`.
      displayName: 'cluster',
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      testMatch: ['<rootDir>/test/cluster/**/*.cluster.test.ts'],
      runner: '<rootDir>/test/support/serial-runner.js',
      setupFilesAfterEnv: ['<rootDir>/test/support/jest-setup.ts'],
    },
  ],
};
