// Pure: the relative time windows the monitoring API and the reconcile command accept ("15m", "24h", "7d").

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION = /^(\d{1,6})(s|m|h|d)$/;
const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/;

/** "90s", "15m", "24h", "7d" → milliseconds; null when the text is not such a duration. */
export function parseDuration(text: string): number | null {
  const m = DURATION.exec(text.trim());
  if (!m) return null;
  const ms = Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
  return ms > 0 ? ms : null;
}

/**
 * A point in time given either as a duration back from `now` ("24h" = 24 hours ago) or as an ISO 8601 date-time
 * with a zone ("2026-11-28T10:00:00Z"). Null when it is neither.
 */
export function parseInstant(text: string, now: Date = new Date()): Date | null {
  const ms = parseDuration(text);
  if (ms !== null) return new Date(now.getTime() - ms);
  if (!ISO_DATETIME.test(text.trim())) return null;
  const d = new Date(text);
  return Number.isNaN(d.getTime()) ? null : d;
}
