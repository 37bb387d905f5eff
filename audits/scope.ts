// Which discovered URLs belong to the audit: the site's hosts, the include/exclude patterns, robots.txt, and
// whether the URL is a page at all.
import safeRegex from 'safe-regex2';
import { SkipReason } from '../core/audit';
import { isOnSite } from './normalise-url';
import type { RobotsRules } from './robots';

export const MAX_REGEX_LENGTH = 200;
// A glob is matched in O(pattern × URL) time whatever it holds; the cap only keeps that product small.
export const MAX_GLOB_LENGTH = 500;
const REGEX_PREFIX = 're:';

/** A compiled include/exclude pattern; `test` gets the URL's path and query (/blog/a?page=2). */
export interface Matcher {
  source: string;
  test(pathAndQuery: string): boolean;
}

export type CompiledPatterns = { ok: true; matchers: Matcher[] } | { ok: false; errors: Array<{ index: number; message: string }> };

type GlobToken = { kind: 'char'; char: string } | { kind: 'segment' } | { kind: 'any' };

function tokeniseGlob(glob: string): GlobToken[] {
  const tokens: GlobToken[] = [];
  for (let i = 0; i < glob.length; i++) {
    if (glob[i] !== '*') {
      tokens.push({ kind: 'char', char: glob[i] });
      continue;
    }
    let stars = 1;
    while (glob[i + 1] === '*') {
      stars++;
      i++;
    }
    tokens.push(stars >= 2 ? { kind: 'any' } : { kind: 'segment' });
  }
  return tokens;
}

// A glob runs as a set of live positions (a Thompson NFA) instead of a backtracking RegExp: `*a*a*a*b` against a long
// URL would backtrack exponentially in a RegExp, here it stays linear in the URL's length.
function globMatcher(glob: string): Matcher {
  const tokens = tokeniseGlob(glob.startsWith('/') || glob.startsWith('*') ? glob : `/${glob}`);
  const closure = (live: Set<number>): Set<number> => {
    for (const position of [...live].sort((a, b) => a - b)) {
      for (let p = position; p < tokens.length && tokens[p].kind !== 'char'; p++) live.add(p + 1);
    }
    return live;
  };
  return {
    source: glob,
    test(input: string): boolean {
      let live = closure(new Set([0]));
      for (const char of input) {
        const next = new Set<number>();
        for (const p of live) {
          const token = tokens[p];
          if (token === undefined) continue;
          if (token.kind === 'char' && token.char === char) next.add(p + 1);
          if (token.kind === 'any' || (token.kind === 'segment' && char !== '/')) next.add(p);
        }
        if (next.size === 0) return false;
        live = closure(next);
      }
      return live.has(tokens.length);
    },
  };
}

function regexMatcher(source: string, body: string): Matcher | string {
  if (body === '') return 'the regular expression is empty';
  if (body.length > MAX_REGEX_LENGTH) return `the regular expression is longer than ${MAX_REGEX_LENGTH} characters`;
  let regex: RegExp;
  try {
    regex = new RegExp(body);
  } catch (err) {
    return `invalid regular expression: ${(err as Error).message}`;
  }
  // Nested quantifiers ((a+)+, (x*)*) backtrack catastrophically on a crafted URL and would stall the worker.
  if (!safeRegex(regex)) return 'the regular expression has nested quantifiers (it could take exponential time); simplify it';
  return { source, test: (input) => regex.test(input) };
}

/**
 * Compile include/exclude patterns. A pattern is a glob over the URL's path and query (`*` any characters but '/',
 * `**` any characters, everything else literal, a leading '/' implied) or a regular expression written `re:<regex>`
 * (searched, not anchored; at most 200 characters; no nested quantifiers). Errors carry the pattern's index.
 */
export function compilePatterns(patterns: readonly string[]): CompiledPatterns {
  const matchers: Matcher[] = [];
  const errors: Array<{ index: number; message: string }> = [];
  patterns.forEach((pattern, index) => {
    if (pattern.trim() === '') {
      errors.push({ index, message: 'the pattern is empty' });
    } else if (pattern.startsWith(REGEX_PREFIX)) {
      const compiled = regexMatcher(pattern, pattern.slice(REGEX_PREFIX.length));
      if (typeof compiled === 'string') errors.push({ index, message: compiled });
      else matchers.push(compiled);
    } else if (pattern.length > MAX_GLOB_LENGTH) {
      errors.push({ index, message: `the pattern is longer than ${MAX_GLOB_LENGTH} characters` });
    } else {
      matchers.push(globMatcher(pattern));
    }
  });
  return errors.length === 0 ? { ok: true, matchers } : { ok: false, errors };
}

// Files a browser would download or show raw rather than render as an HTML page.
const NON_HTML_EXTENSIONS = new Set(
  (
    'pdf zip gz tgz tar bz2 xz 7z rar jpg jpeg png gif svg webp avif ico bmp tif tiff heic mp4 m4v mov avi webm mkv ' +
    'mp3 m4a wav ogg flac doc docx xls xlsx ppt pptx odt ods odp rtf epub css js mjs map json xml rss atom ics csv ' +
    'txt exe dmg msi apk iso woff woff2 ttf otf eot'
  ).split(' '),
);

/** True if the URL's last path segment has a file extension that is not a web page (.pdf, .jpg, .css, .zip...). */
export function isNonHtmlByExtension(url: string): boolean {
  let pathname: string;
  try {
    pathname = new URL(url).pathname;
  } catch {
    return false;
  }
  const last = pathname.slice(pathname.lastIndexOf('/') + 1);
  const dot = last.lastIndexOf('.');
  return dot > 0 && NON_HTML_EXTENSIONS.has(last.slice(dot + 1).toLowerCase());
}

export interface AuditScope {
  siteHosts: readonly string[];
  include: readonly Matcher[];
  exclude: readonly Matcher[];
  /** Present when respectRobots: robots.txt's rules for our user agent. */
  robots?: RobotsRules | null;
}

/** Why `url` (absolute, normalised) is outside the audit, or null when it may be scanned. */
export function scopeVerdict(url: string, scope: AuditScope): SkipReason | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return SkipReason.InvalidUrl;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return SkipReason.InvalidUrl;
  if (!isOnSite(url, scope.siteHosts)) return SkipReason.OffSite;
  const pathAndQuery = `${parsed.pathname}${parsed.search}`;
  if (scope.exclude.some((matcher) => matcher.test(pathAndQuery))) return SkipReason.Excluded;
  if (scope.include.length > 0 && !scope.include.some((matcher) => matcher.test(pathAndQuery))) return SkipReason.NotIncluded;
  if (scope.robots && !scope.robots.isAllowed(url)) return SkipReason.Robots;
  if (isNonHtmlByExtension(url)) return SkipReason.NonHtml;
  return null;
}
