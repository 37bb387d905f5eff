import { invalidField } from '../http-errors';
import { isUuid } from '../../lib/ids';

/**
 * Keyset paging for lists ordered newest first by (timestamp, id): the `next` cursor is `<timestamp ISO>_<id>`,
 * opaque to callers, who send it back as `cursor` (every list's one name for it; `before` is the older name scans,
 * prospects and failed jobs still accept). The id breaks ties, so rows sharing one timestamp (a bulk's scans, an import's prospects,
 * all inserted by one statement) are neither skipped nor repeated across pages. A bare ISO date-time is still
 * accepted as `before` (everything strictly older).
 */
export interface PageCursor {
  at: Date;
  id?: string;
}

export function encodeCursor(at: Date, id: string): string {
  return `${at.toISOString()}_${id}`;
}

/** Reads a `before` value; anything else than a cursor or a date-time is a 400 naming the field. */
export function parseCursor(before: string, field = 'before'): PageCursor {
  const [text, id, extra] = before.split('_');
  const at = new Date(text);
  if (extra !== undefined || text === '' || Number.isNaN(at.getTime()) || (id !== undefined && !isUuid(id))) {
    throw invalidField(field, 'is not a cursor', {}, { message: `${field}: must be the \`next\` value of a previous page` });
  }
  return { at, id };
}

/**
 * The page asked for by `cursor`, or by its alias `before`; both at once is a 400 (which one would win is a guess).
 */
export function pageCursorOf(q: { cursor?: string; before?: string }): PageCursor | undefined {
  if (q.cursor !== undefined && q.before !== undefined) {
    throw invalidField('before', 'give cursor or its older name before, not both');
  }
  if (q.cursor !== undefined) return parseCursor(q.cursor, 'cursor');
  return q.before !== undefined ? parseCursor(q.before) : undefined;
}

/** The Prisma filter for rows after `cursor` in (`column` desc, id desc) order. */
export function olderThan<W>(cursor: PageCursor, column: string): W {
  const { at, id } = cursor;
  return { OR: id ? [{ [column]: { lt: at } }, { [column]: at, id: { lt: id } }] : [{ [column]: { lt: at } }] } as W;
}

/** `next` for a page of `limit` rows: the last row's cursor when the page is full, else null. */
export function nextCursor<R extends { id: string }>(rows: readonly R[], limit: number, at: (row: R) => Date): string | null {
  const last = rows[rows.length - 1];
  return rows.length === limit && last ? encodeCursor(at(last), last.id) : null;
}
