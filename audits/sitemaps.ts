// Sitemaps and sitemap indexes, read within bounds: a hostile or huge sitemap (millions of entries, gzip or XML bombs,
// indexes that refer to each other) costs at most the limits below and is reported, never allowed to exhaust memory.
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import { SaxesParser } from 'saxes';
import type { SafeFetchResult } from '../targets/safe-fetch';

export interface SitemapLimits {
  /** Sitemap files fetched at most (indexes included). */
  maxFiles: number;
  /** Index levels followed below the start files (a start file is level 0). */
  maxDepth: number;
  /** XML bytes read per file, after decompression. */
  maxBytesPerFile: number;
  /** Page entries kept over all files. */
  maxEntries: number;
}

export const SITEMAP_LIMITS: Readonly<SitemapLimits> = {
  maxFiles: 50,
  maxDepth: 3,
  maxBytesPerFile: 10 * 1024 * 1024,
  maxEntries: 50_000,
};

export interface SitemapEntry {
  url: string;
  lastmod: string | null;
}

/** One file read; `entries` counts its pages (kept ones) or, for an index, the sitemaps it lists. */
export interface SitemapFileReport {
  url: string;
  entries: number;
  error?: string;
}

export interface SitemapReading {
  entries: SitemapEntry[];
  files: SitemapFileReport[];
  /** One human sentence per limit that cut something or per file that was refused or malformed. */
  notes: string[];
}

export interface SitemapDeps {
  /** A bounded fetch within the target rules (fetchWithinPolicy with the audit's policy). */
  fetch(url: string): Promise<SafeFetchResult>;
  /** Whether a sitemap URL may be read at all (e.g. on the audited site). */
  isAllowedSitemapUrl(url: string): boolean;
}

// Plain bodies are fed to the parser in slices so that a stop (entry limit, bad XML) skips the rest of the work.
const SLICE_BYTES = 64 * 1024;
// A <loc> or <lastmod> longer than this is not a URL or a date; its text is not accumulated further.
const MAX_FIELD_CHARS = 8 * 1024;
const MAX_LASTMOD_CHARS = 64;

const count = (n: number): string => n.toLocaleString('en-US');
const mib = (bytes: number): string => `${count(Math.round((bytes / (1024 * 1024)) * 10) / 10)} MiB`;
const plural = (n: number, one: string, many: string): string => `${count(n)} ${n === 1 ? one : many}`;

type RecordKind = 'url' | 'sitemap';

class StopReading extends Error {}

/**
 * Streams one sitemap file's XML and reports each <url> and <sitemap> record's <loc> and <lastmod> (direct children
 * only: an <image:loc> inside <url> is not the page). A DOCTYPE that declares entities stops it: saxes never expands
 * custom entities, and refusing the file outright makes the "billion laughs" case explicit.
 */
class SitemapXmlReader {
  error: string | null = null;
  stopped = false;
  private readonly parser = new SaxesParser();
  private depth = 0;
  private record: { kind: RecordKind; depth: number; loc: string | null; lastmod: string | null } | null = null;
  private field: { name: 'loc' | 'lastmod'; text: string } | null = null;

  constructor(private readonly onRecord: (kind: RecordKind, loc: string, lastmod: string | null) => 'continue' | 'stop') {
    this.parser.on('doctype', (doctype) => {
      if (/<!ENTITY/i.test(doctype)) this.fail('its DOCTYPE declares entities (refused: XML entity expansion is never done)');
    });
    this.parser.on('opentag', (tag) => this.open(localName(tag.name)));
    this.parser.on('closetag', (tag) => this.close(localName(tag.name)));
    this.parser.on('text', (text) => this.text(text));
    this.parser.on('cdata', (text) => this.text(text));
    this.parser.on('error', (err) => this.fail(`malformed XML: ${err.message}`));
  }

  write(text: string): void {
    if (this.stopped) return;
    try {
      this.parser.write(text);
    } catch (err) {
      if (!(err instanceof StopReading)) throw err;
    }
  }

  end(): void {
    if (this.stopped) return;
    try {
      this.parser.close();
    } catch (err) {
      if (!(err instanceof StopReading)) throw err;
    }
  }

  // Thrown out of the parser's handlers so that write() does not go on through the rest of the slice.
  private halt(): never {
    this.stopped = true;
    throw new StopReading();
  }

  private fail(message: string): never {
    if (!this.stopped) this.error = message;
    return this.halt();
  }

  private open(name: string): void {
    this.depth++;
    if (this.record === null && (name === 'url' || name === 'sitemap')) {
      this.record = { kind: name, depth: this.depth, loc: null, lastmod: null };
    } else if (this.record !== null && this.depth === this.record.depth + 1 && (name === 'loc' || name === 'lastmod')) {
      this.field = { name, text: '' };
    }
  }

  private text(text: string): void {
    if (this.field !== null && this.field.text.length <= MAX_FIELD_CHARS) this.field.text += text;
  }

  private close(name: string): void {
    const record = this.record;
    if (this.field !== null && record !== null && name === this.field.name && this.depth === record.depth + 1) {
      record[this.field.name] = this.field.text.length > MAX_FIELD_CHARS ? null : this.field.text.trim();
      this.field = null;
    } else if (record !== null && this.depth === record.depth) {
      this.record = null;
      const lastmod = record.lastmod !== null && record.lastmod.length <= MAX_LASTMOD_CHARS ? record.lastmod : null;
      if (record.loc && this.onRecord(record.kind, record.loc, lastmod || null) === 'stop') {
        this.depth--;
        this.halt();
      }
    }
    this.depth--;
  }
}

function localName(qualified: string): string {
  return qualified.slice(qualified.indexOf(':') + 1).toLowerCase();
}

const isGzip = (body: Buffer): boolean => body.length >= 2 && body[0] === 0x1f && body[1] === 0x8b;

/** The file's XML as text, at most `cap` bytes of it; `cut` is set when there was more. */
async function* xmlText(body: Buffer, cap: number, outcome: { cut: boolean }): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let read = 0;
  // Gzip is recognised by its magic bytes, not the name: servers mislabel both ways. Decompression is streamed and
  // abandoned at the cap, so a bomb costs `cap` bytes of output, never its full size.
  const chunks: AsyncIterable<Buffer> | Iterable<Buffer> = isGzip(body) ? createGunzip().end(body) : slices(body);
  for await (const chunk of chunks) {
    if (read + chunk.length > cap) {
      outcome.cut = true;
      yield decoder.write(chunk.subarray(0, cap - read));
      return;
    }
    read += chunk.length;
    yield decoder.write(chunk);
  }
  yield decoder.end();
}

function* slices(body: Buffer): Generator<Buffer> {
  for (let at = 0; at < body.length; at += SLICE_BYTES) yield body.subarray(at, at + SLICE_BYTES);
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * Read the sitemaps at `startUrls` and, recursively, the sitemaps their indexes list, within `limits`: each file is
 * fetched once (indexes that list each other are read once), gzip is detected by magic bytes and decompressed up to
 * maxBytesPerFile, and reading stops at maxEntries. What a limit cut, and what was refused or malformed, is in `notes`;
 * a malformed file keeps the entries read before the error.
 */
export async function readSitemaps(
  startUrls: readonly string[],
  deps: SitemapDeps,
  limits: SitemapLimits = SITEMAP_LIMITS,
): Promise<SitemapReading> {
  const entries: SitemapEntry[] = [];
  const seenEntries = new Set<string>();
  const files: SitemapFileReport[] = [];
  const notes: string[] = [];
  const queued = new Set<string>();
  const queue: Array<{ url: string; depth: number }> = [];
  let dequeued = 0;
  let overFileLimit = 0;
  let entryLimitReached = false;

  const enqueue = (raw: string, depth: number, from: string | null): void => {
    let url: string;
    try {
      url = new URL(raw).href.replace(/#.*$/, '');
    } catch {
      notes.push(`sitemap ${from ?? raw}: ${JSON.stringify(raw)} is not a URL`);
      return;
    }
    if (queued.has(url)) return;
    queued.add(url);
    if (depth > limits.maxDepth) {
      notes.push(`sitemap ${url}: not read, it is nested more than ${limits.maxDepth} index levels deep`);
      return;
    }
    if (dequeued + queue.length >= limits.maxFiles) {
      overFileLimit++;
      return;
    }
    queue.push({ url, depth });
  };
  startUrls.forEach((url) => enqueue(url, 0, null));

  while (queue.length > 0 && !entryLimitReached) {
    const { url, depth } = queue.shift() as { url: string; depth: number };
    dequeued++;
    if (!deps.isAllowedSitemapUrl(url)) {
      files.push({ url, entries: 0, error: 'not on the audited site' });
      notes.push(`sitemap ${url}: not read, it is not on the audited site`);
      continue;
    }
    const fetched = await deps.fetch(url);
    if (!fetched.ok) {
      files.push({ url, entries: 0, error: fetched.reason });
      if (fetched.category === 'blocked_target') notes.push(`sitemap ${url}: refused (${fetched.reason})`);
      continue;
    }
    if (fetched.status < 200 || fetched.status >= 300) {
      files.push({ url, entries: 0, error: `HTTP ${fetched.status}` });
      continue;
    }
    if (fetched.truncated) notes.push(`sitemap ${url}: download cut at ${mib(fetched.body.length)} (the download limit)`);

    let listed = 0;
    let invalid = 0;
    const reader = new SitemapXmlReader((kind, loc, lastmod) => {
      if (kind === 'sitemap') {
        listed++;
        enqueue(loc, depth + 1, url);
        return 'continue';
      }
      if (!isHttpUrl(loc)) {
        invalid++;
        return 'continue';
      }
      if (!seenEntries.has(loc)) {
        seenEntries.add(loc);
        entries.push({ url: loc, lastmod });
        listed++;
      }
      if (entries.length < limits.maxEntries) return 'continue';
      entryLimitReached = true;
      return 'stop';
    });
    const outcome = { cut: false };
    let streamError: string | null = null;
    try {
      for await (const text of xmlText(fetched.body, limits.maxBytesPerFile, outcome)) {
        reader.write(text);
        if (reader.stopped) break;
      }
      if (!outcome.cut) reader.end();
    } catch (err) {
      streamError = `could not decompress: ${(err as Error).message}`;
    }

    const error = streamError ?? reader.error;
    files.push(error === null ? { url, entries: listed } : { url, entries: listed, error });
    if (error !== null) notes.push(`sitemap ${url}: ${error}; kept the ${plural(listed, 'entry', 'entries')} read before it`);
    if (outcome.cut && !reader.stopped) {
      notes.push(
        `sitemap ${url}: stopped after ${mib(limits.maxBytesPerFile)} of XML (the per-file limit${isGzip(fetched.body) ? '; it decompresses to more' : ''})`,
      );
    }
    if (entryLimitReached) notes.push(`sitemap ${url}: stopped at ${count(limits.maxEntries)} entries (the limit)`);
    if (invalid > 0) notes.push(`sitemap ${url}: ${plural(invalid, 'entry was', 'entries were')} not an http(s) URL and ignored`);
  }

  const unread = queue.length + overFileLimit;
  if (entryLimitReached && unread > 0) {
    notes.push(`${plural(unread, 'more sitemap file was', 'more sitemap files were')} not read: the entry limit was reached`);
  } else if (overFileLimit > 0) {
    notes.push(
      `${plural(overFileLimit, 'more sitemap file was', 'more sitemap files were')} not read: the ${count(limits.maxFiles)}-file limit`,
    );
  }
  return { entries, files, notes };
}
