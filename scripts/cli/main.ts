// `wcag`: the operator CLI (see scripts/cli/args.ts for the commands; exit statuses in scripts/exit-status.ts).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { ExitStatus, HealthExitStatus, UsageError, usageErrorLine } from '../exit-status';
import { isInteractive } from '../terminal';
import { versionInfo, versionLine } from '../version';
import { commandName, HELP_COMMAND, parseCli, resolveApiKey, resolveApiUrl, USAGE } from './args';
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
  const { command, apiUrl, json } = parseCli(argv);
  if (command.kind === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return ExitStatus.Ok;
  }
  if (command.kind === 'version') {
    const v = versionInfo('wcag');
    process.stdout.write(json ? `${JSON.stringify(v)}\n` : `${versionLine(v)}\n`);
    return ExitStatus.Ok;
  }
  const api = createApi(resolveApiUrl(apiUrl, process.env), resolveApiKey(process.env, readDotenv()));
  return runCommand(
    command,
    api,
    {
      write: (t) => process.stdout.write(t),
      error: (t) => process.stderr.write(t),
      tty: isInteractive(process.stdout),
      errTty: isInteractive(process.stderr),
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      // Listening replaces Node's default (exit at once), so only the command that wants Ctrl-C asks for it.
      interrupted: () => new Promise<void>((resolve) => process.once('SIGINT', () => resolve())),
    },
    { json },
  );
}

/** The exit status and the one stderr line for an error that ended the command. */
export function exitFor(err: unknown, argv: readonly string[]): { status: number; line: string } {
  // `wcag health` is a monitoring plugin: whatever keeps it from a verdict is UNKNOWN, as 2 would read as CRITICAL.
  const health = commandName(argv) === 'health';
  if (err instanceof UsageError) {
    return { status: health ? HealthExitStatus.Unknown : ExitStatus.Usage, line: usageErrorLine('wcag', err.message, HELP_COMMAND) };
  }
  // One line, never a stack trace: CliError carries a message written for the operator.
  const message = err instanceof CliError ? err.message : `unexpected error: ${err instanceof Error ? err.message : String(err)}`;
  return { status: health ? HealthExitStatus.Unknown : ExitStatus.Failure, line: `wcag: ${message}\n` };
}

/** Runs the CLI and exits the process with its status once stdout has drained (a pipe may be written asynchronously). */
export function run(argv: readonly string[]): void {
  const exit = (status: number) => process.stdout.write('', () => process.exit(status));
  main(argv).then(exit, (err: unknown) => {
    const { status, line } = exitFor(err, argv);
    process.stderr.write(line);
    exit(status);
  });
}

if (require.main === module) run(process.argv.slice(2));
