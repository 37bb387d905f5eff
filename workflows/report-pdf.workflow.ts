import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';

export interface ReportPdfInput {
  /** The self-contained report page (CSS inlined, no scripts): at most ~1.5 MB, a Temporal payload. */
  html: string;
  title: string;
  /** The browser task queue (taskQueues(prefix).browser): only the browser workers have Chromium. */
  browserQueue: string;
}

/** Prints a report page to a tagged PDF on a browser worker and returns its bytes (a PDF over 1.5 MB is refused). */
export async function reportPdfWorkflow(input: ReportPdfInput): Promise<Uint8Array> {
  const { renderPdf } = proxyActivities<Activities>({
    taskQueue: input.browserQueue,
    startToCloseTimeout: '60 seconds',
    // Someone is waiting for the download: ahead of every scan's page work.
    priority: { priorityKey: 1 },
    retry: { maximumAttempts: 2, initialInterval: '1 second', nonRetryableErrorTypes: ['too_large'] },
  });
  return renderPdf({ html: input.html, title: input.title });
}
