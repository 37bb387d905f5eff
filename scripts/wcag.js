#!/usr/bin/env node
// The `wcag` bin (package.json). In a checkout: the TypeScript source through tsx's require hook, the way
// `npm run` scripts run (never a possibly stale dist/). In the Docker image, which has no sources: the compiled CLI.
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const source = join(__dirname, 'cli', 'main.ts');
if (existsSync(source)) {
  require('tsx/cjs/api').register();
  require(source).run(process.argv.slice(2));
} else {
  require(join(__dirname, '..', 'dist', 'scripts', 'cli', 'main.js')).run(process.argv.slice(2));
}
