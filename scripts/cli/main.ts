// `wcag`: the operator CLI (see scripts/cli/args.ts for the commands). Exit status 2 = could not run.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { parseCli, resolveApiKey, resolveApiUrl, UsageError, USAGE } from './args';
import { runCommand } from './commands';
import { CliError, createApi } from './http';

/** ADMIN_API_KEY from .env in the working directory or the repository root, if there is one. */
function readDotenv(): Record<string, string> | undefined {
  for (const dir of [process.cwd(), join(__dirname, '..', '..')]) {
    const file = join(dir, '.env');
    if (existsSync(file)) return parseDotenv(readFileSync(file));
  }
  return undefined;
}

export async function main(argv: readonly string[]): Promise<number> {
  const { command, apiUrl } = parseCli(argv);
  if (command.kind === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const api = createApi(resolveApiUrl(apiUrl, process.env), resolveApiKey(process.env, readDotenv()));
  return runCommand(command, api, {
    write: (t) => process.stdout.write(t),
    error: (t) => process.stderr.write(t),
    tty: Boolean(process.stdout.isTTY),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    // Listening replaces Node's default (exit at once), so only the command that wants Ctrl-C asks for it.
    interrupted: () => new Promise<void>((resolve) => process.once('SIGINT', () => resolve())),
  });
}

/** Runs the CLI and exits the process with its status; errors become one line on stderr. */
export function run(argv: readonly string[]): void {
  main(argv).then(
    (code) => process.exit(code),
    (err: unknown) => {
      // One line, never a stack trace: the error types above carry messages written for the operator.
      const known = err instanceof UsageError || err instanceof CliError;
      const message = known ? (err as Error).message : `unexpected error: ${err instanceof Error ? err.message : String(err)}`;
      process.stderr.write(`wcag: ${message}\n`);
      process.exit(2);
    },
  );
}

if (require.main === module) run(process.argv.slice(2));
