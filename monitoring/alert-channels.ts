// Where alert notifications go. A channel is one async `send`; add one by implementing AlertChannel and listing it
// in alertChannelsFrom(). The log always gets every notification; the webhook is optional (ALERT_WEBHOOK_URL).
import type { Env } from '../lib/env';

export interface AlertNotification {
  key: string;
  kind: string;
  severity: 'warning' | 'critical';
  /** firing: raised (or still firing after a dedupe window); resolved: the condition cleared. */
  status: 'firing' | 'resolved';
  message: string;
  details: Record<string, unknown>;
  firstSeenAt: string;
  occurrences: number;
}

export interface AlertChannel {
  readonly name: string;
  /** True for channels whose failure counts as a failed delivery (the log never fails). */
  readonly external: boolean;
  /** Resolves with the attempts it took; throws (with `attempts` on the error) when every attempt failed. */
  send(n: AlertNotification): Promise<{ attempts: number }>;
}

export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly attempts: number,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

/** Slack's incoming-webhook text: one line a human reads in a notification. */
export function alertText(n: AlertNotification): string {
  const icon = n.status === 'resolved' ? '✅ RESOLVED' : n.severity === 'critical' ? '🚨 CRITICAL' : '⚠️ WARNING';
  return `${icon} [${n.kind}] ${n.message}`;
}

export interface WebhookOptions {
  url: string;
  timeoutMs: number;
  retries: number;
  /** First retry delay, doubled each time. */
  backoffMs?: number;
}

/** Slack-compatible JSON POST `{ text, alert }`; a non-2xx answer, a network error or the timeout is retried. */
export function webhookChannel(o: WebhookOptions): AlertChannel {
  const backoff = o.backoffMs ?? 500;
  return {
    name: 'webhook',
    external: true,
    async send(n) {
      let lastError = '';
      for (let attempt = 1; attempt <= o.retries + 1; attempt++) {
        try {
          const res = await fetch(o.url, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ text: alertText(n), alert: n }),
            signal: AbortSignal.timeout(o.timeoutMs),
          });
          // Drain the body so the connection is reused; Slack answers "ok".
          await res.text().catch(() => undefined);
          if (res.ok) return { attempts: attempt };
          lastError = `webhook answered HTTP ${res.status}`;
        } catch (err) {
          lastError = err instanceof Error && err.name === 'TimeoutError' ? `no answer within ${o.timeoutMs} ms` : 'webhook unreachable';
        }
        if (attempt <= o.retries) await new Promise((r) => setTimeout(r, backoff * 2 ** (attempt - 1)));
      }
      throw new DeliveryError(lastError, o.retries + 1);
    },
  };
}

export interface LogLike {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

export function logChannel(log: LogLike): AlertChannel {
  return {
    name: 'log',
    external: false,
    async send(n) {
      (n.status === 'resolved' ? log.info.bind(log) : log.warn.bind(log))({ alert: n }, alertText(n));
      return { attempts: 1 };
    },
  };
}

export function alertChannelsFrom(
  env: Pick<Env, 'ALERT_WEBHOOK_URL' | 'ALERT_WEBHOOK_TIMEOUT' | 'ALERT_WEBHOOK_RETRIES'>,
  log: LogLike,
): AlertChannel[] {
  const channels = [logChannel(log)];
  if (env.ALERT_WEBHOOK_URL) {
    channels.push(webhookChannel({ url: env.ALERT_WEBHOOK_URL, timeoutMs: env.ALERT_WEBHOOK_TIMEOUT, retries: env.ALERT_WEBHOOK_RETRIES }));
  }
  return channels;
}
