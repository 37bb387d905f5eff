import type { Client } from '@temporalio/client';
import { tsToDate } from '@temporalio/common';
import { invalidField } from '../http-errors';

/** One entry of Temporal's schedule list, with its memo decoded. */
export interface ListedSchedule {
  scheduleId: string;
  memo: Record<string, unknown>;
  paused: boolean;
  nextActionTimes: Date[];
}

const TOKEN = /^[A-Za-z0-9_-]{1,4000}$/;

/**
 * One page of Temporal's schedule list, as many entries as `keep` accepts up to `limit`. The cursor is Temporal's
 * own next-page token (base64url): schedules have no (timestamp, id) column of ours to page on, and the visibility
 * store's token is the only position that neither skips nor repeats entries. Each Temporal page asked for is
 * read whole (its size is what is still missing), so the token returned is exactly where this page stopped; a
 * page can come out short when `keep` drops entries (the operator's own schedules, another app's), never wrong.
 */
export async function listSchedulePage<T>(
  temporal: Client,
  opts: { query?: string; limit: number; cursor?: string },
  keep: (s: ListedSchedule) => T | undefined,
): Promise<{ items: T[]; next: string | null }> {
  if (opts.cursor !== undefined && !TOKEN.test(opts.cursor)) {
    throw invalidField('cursor', 'is not a cursor', {}, { message: 'cursor: must be the `next` value of a previous page' });
  }
  const { payloadConverter } = temporal.options.loadedDataConverter;
  const given: Uint8Array | undefined = opts.cursor ? Buffer.from(opts.cursor, 'base64url') : undefined;
  let token = given;
  const items: T[] = [];
  do {
    let res: Awaited<ReturnType<Client['workflowService']['listSchedules']>>;
    try {
      res = await temporal.workflowService.listSchedules({
        namespace: temporal.options.namespace,
        query: opts.query,
        maximumPageSize: opts.limit - items.length,
        nextPageToken: token,
      });
    } catch (err) {
      // A token the visibility store cannot read is the caller's mistake, not an outage.
      if (given && token === given && (err as { code?: number }).code === 3 /* gRPC INVALID_ARGUMENT */) {
        throw invalidField('cursor', 'is not a cursor', {}, { message: 'cursor: must be the `next` value of a previous page' });
      }
      throw err;
    }
    for (const raw of res.schedules ?? []) {
      if (!raw.scheduleId) continue;
      // No payload codec is configured for this namespace: the memo is plain payloads (as the SDK's list() reads it).
      const memo = Object.fromEntries(Object.entries(raw.memo?.fields ?? {}).map(([k, p]) => [k, payloadConverter.fromPayload(p)]));
      const item = keep({
        scheduleId: raw.scheduleId,
        memo,
        paused: raw.info?.paused === true,
        nextActionTimes: (raw.info?.futureActionTimes ?? []).map(tsToDate),
      });
      if (item !== undefined) items.push(item);
    }
    token = res.nextPageToken?.length ? res.nextPageToken : undefined;
  } while (token && items.length < opts.limit);
  return { items, next: token ? Buffer.from(token).toString('base64url') : null };
}
