// `wcag bulk <file>`: one prospect id or URL per line; `#` comments and blank lines are ignored.
import { UsageError } from './args';

export interface InputItem {
  /** 1-based line in the file, for messages. */
  line: number;
  value: string;
}

/** Items that fit in one bulk submission (the API's limit). */
export const MAX_ITEMS = 10_000;

/** Parses the file's text; a line that cannot be an id or URL is a UsageError naming the file and line. */
export function parseInputFile(text: string, opts: { urls: boolean; fileName: string }): InputItem[] {
  if (text.includes('\u0000')) throw new UsageError(`${opts.fileName}: not a text file`);
  const items: InputItem[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (!line) return;
    const where = `${opts.fileName}:${i + 1}`;
    if (/\s/.test(line))
      throw new UsageError(`${where}: expected one ${opts.urls ? 'URL' : 'prospect id'} per line, got "${truncate(line)}"`);
    if (opts.urls) {
      let u: URL | undefined;
      try {
        u = new URL(line);
      } catch {
        // reported below
      }
      if (!u || (u.protocol !== 'http:' && u.protocol !== 'https:'))
        throw new UsageError(`${where}: not an http(s) URL: "${truncate(line)}"`);
    } else if (/^https?:\/\//i.test(line)) {
      throw new UsageError(`${where}: "${truncate(line)}" is a URL; pass --urls to scan URLs instead of prospect ids`);
    }
    items.push({ line: i + 1, value: line });
  });
  if (items.length === 0)
    throw new UsageError(`${opts.fileName}: no ${opts.urls ? 'URLs' : 'prospect ids'} in the file (only blank lines and comments)`);
  if (items.length > MAX_ITEMS)
    throw new UsageError(`${opts.fileName}: ${items.length} items; one bulk takes at most ${MAX_ITEMS}, split the file`);
  return items;
}

function truncate(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
