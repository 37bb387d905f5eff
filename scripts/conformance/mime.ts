// Pure: Content-Type for a corpus file. The corpus README requires correct types and an explicit utf-8 charset on
// text: 26 ACT test cases hold non-ASCII text without a <meta charset>, and Chromium would decode them as
// windows-1252 (color-contrast then measures different text).
import { extname } from 'node:path';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html',
  '.htm': 'text/html',
  '.xhtml': 'application/xhtml+xml',
  '.xml': 'application/xml',
  '.svg': 'image/svg+xml',
  '.css': 'text/css',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.json': 'application/json',
  '.txt': 'text/plain',
  '.md': 'text/markdown',
  '.vtt': 'text/vtt',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  // JFIF is JPEG's file format; browsers sniff nothing from the extension, so say so.
  '.jfif': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
  '.mp3': 'audio/mpeg',
  '.ogg': 'audio/ogg',
  '.wav': 'audio/wav',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.pdf': 'application/pdf',
};

// XML documents are text too: a charset parameter outranks their encoding declaration, and every corpus file is UTF-8.
const TEXT = new Set(['application/xhtml+xml', 'application/xml', 'image/svg+xml', 'application/json']);

/** Whether a media type carries text, and so needs `charset=utf-8`. */
export function isTextType(type: string): boolean {
  return type.startsWith('text/') || TEXT.has(type);
}

/** The Content-Type header for a file name, with `; charset=utf-8` on text types. */
export function contentTypeFor(fileName: string): string {
  const type = TYPES[extname(fileName).toLowerCase()] ?? 'application/octet-stream';
  return isTextType(type) ? `${type}; charset=utf-8` : type;
}
