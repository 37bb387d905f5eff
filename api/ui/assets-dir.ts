import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The UI's stylesheet and script: beside this file, or in the sources when running the build output. */
export const ASSETS =
  [join(__dirname, 'assets'), join(__dirname, '..', '..', '..', 'api', 'ui', 'assets')].find((d) => existsSync(d)) ??
  join(__dirname, 'assets');
