// PLACEHOLDER (auditapi branch): the real audits/scope.ts is written on another branch and replaces this at merge.
// Only the signature the API compiles against: compilePatterns(patterns) → matchers or per-pattern errors.

export interface Matcher {
  pattern: string;
  test(url: string): boolean;
}

export type CompiledPatterns = { ok: true; matchers: Matcher[] } | { ok: false; errors: Array<{ index: number; message: string }> };

/** `re:<regex>` or a glob (`*` any characters); an uncompilable pattern is an error naming its index. */
export function compilePatterns(patterns: string[]): CompiledPatterns {
  const matchers: Matcher[] = [];
  const errors: Array<{ index: number; message: string }> = [];
  patterns.forEach((pattern, index) => {
    try {
      const re = pattern.startsWith('re:')
        ? new RegExp(pattern.slice(3))
        : new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
      matchers.push({ pattern, test: (url) => re.test(url) });
    } catch (err) {
      errors.push({ index, message: `not a valid pattern: ${(err as Error).message}` });
    }
  });
  return errors.length ? { ok: false, errors } : { ok: true, matchers };
}
