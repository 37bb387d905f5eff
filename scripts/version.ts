// `--version` of the operator commands: package.json's version, plus the git commit when run from a checkout.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface VersionInfo {
  name: string;
  version: string;
  /** Short commit of the checkout, absent in the Docker image (no .git) or without git. */
  commit?: string;
}

/** The repository root: scripts/ in a checkout, dist/scripts/ in the image. */
function packageRoot(): string | undefined {
  for (const dir of [join(__dirname, '..'), join(__dirname, '..', '..')]) {
    if (existsSync(join(dir, 'package.json'))) return dir;
  }
  return undefined;
}

function gitCommit(root: string): string | undefined {
  if (!existsSync(join(root, '.git'))) return undefined;
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 2_000,
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    return /^[0-9a-f]{4,40}$/.test(sha) ? sha : undefined;
  } catch {
    return undefined;
  }
}

/** What `<program> --version` reports. */
export function versionInfo(program: string): VersionInfo {
  const root = packageRoot();
  let version = 'unknown';
  if (root) {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: string };
    version = pkg.version ?? version;
  }
  const commit = root ? gitCommit(root) : undefined;
  return { name: program, version, ...(commit && { commit }) };
}

/** `wcag 0.1.0 (ff00cd4)`, the line `--version` prints. */
export function versionLine(v: VersionInfo): string {
  return `${v.name} ${v.version}${v.commit ? ` (${v.commit})` : ''}`;
}
