// The audit report as a tagged PDF: the report page's own markup (views/audits.ts, printable) printed by Chromium on a
// browser worker (reportPdfWorkflow → renderPdf): the API process has no browser. One builder for the pages
// (session cookie) and the JSON API (Bearer key).
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApplicationFailure, WorkflowFailedError, type Client } from '@temporalio/client';
import { Router, type Response } from 'express';
import { taskQueues } from '../../core/contracts';
import type { ReportPdfInput, reportPdfWorkflow } from '../../workflows/report-pdf.workflow';
import { conflict, HttpError, notFound, serviceUnavailable } from '../http-errors';
import { principalOf } from '../middleware/auth';
import type { Principal } from '../services/api-key.service';
import type { TemporalBreaker } from '../services/temporal-breaker';
import { ASSETS } from './assets-dir';
import type { UiService } from './ui.service';
import { auditTitle, printableAuditPage } from './views/audits';

/** Workflow inputs, like results, must stay under Temporal's 2 MB payload limit. */
export const REPORT_HTML_MAX_BYTES = 1.5 * 1024 * 1024;

export interface AuditPdfDeps {
  ui: UiService;
  temporal: Client;
  taskQueuePrefix: string;
  temporalBreaker?: TemporalBreaker;
}

const tooLarge = (message: string) => new HttpError(413, 'too_large', message);

/** Renders audit reports to PDF through the browser workers. */
export function createAuditPdf(deps: AuditPdfDeps) {
  const queues = taskQueues(deps.taskQueuePrefix);
  let css: string | undefined;
  const stylesheet = () => (css ??= readFileSync(join(ASSETS, 'ui.css'), 'utf8'));

  return {
    /** The PDF of an audit's site report; null when the audit is absent or not this principal's, 409 without a report. */
    async pdf(auditId: string, principal: Principal): Promise<{ filename: string; body: Buffer } | null> {
      const audit = await deps.ui.audit(auditId, principal);
      if (!audit) return null;
      const report = audit.report;
      if (!report) throw conflict(`the audit has no report yet (it is ${audit.status})`);
      const html = printableAuditPage({ ...audit, report }, stylesheet());
      if (Buffer.byteLength(html) > REPORT_HTML_MAX_BYTES) {
        throw tooLarge('the report is too large to print as a PDF; use the CSV or JSON export');
      }
      const input: ReportPdfInput = { html, title: auditTitle(audit), browserQueue: queues.browser };
      // Not through the breaker's execute: its per-call deadline is for quick calls, and this one waits for a render.
      deps.temporalBreaker?.assertAvailable();
      const run = (client: Client) =>
        client.workflow.execute<typeof reportPdfWorkflow>('reportPdfWorkflow', {
          // Workflows run on the scan queues (the browser queue's workers have no workflow bundle); the page work
          // goes to the browser queue named in the input.
          taskQueue: queues.high,
          workflowId: `report-pdf-${audit.auditId}-${randomUUID()}`,
          args: [input],
          workflowExecutionTimeout: '3 minutes',
          priority: { priorityKey: 1 },
        });
      try {
        const pdf = await run(deps.temporal);
        return { filename: `audit-${audit.auditId}.pdf`, body: Buffer.from(pdf) };
      } catch (err) {
        if (err instanceof HttpError) throw err;
        const cause = err instanceof WorkflowFailedError ? rootCause(err) : null;
        if (cause instanceof ApplicationFailure && cause.type === 'too_large') throw tooLarge(cause.message);
        throw serviceUnavailable('the PDF could not be rendered (no browser worker answered in time); try again shortly');
      }
    },
  };
}
export type AuditPdf = ReturnType<typeof createAuditPdf>;

function rootCause(err: Error): Error {
  let e: Error = err;
  while (e.cause instanceof Error) e = e.cause;
  return e;
}

export function sendPdf(res: Response, pdf: { filename: string; body: Buffer }): void {
  res.set('Content-Disposition', `attachment; filename="${pdf.filename}"`).type('application/pdf').send(pdf.body);
}

/** GET /api/audits/:auditId/report.pdf, behind the API's Bearer authentication. */
export function auditPdfApiRouter(pdfs: AuditPdf): Router {
  const router = Router();
  router.get('/:auditId/report.pdf', async (req, res) => {
    const pdf = await pdfs.pdf(String(req.params.auditId), principalOf(res));
    if (!pdf) throw notFound('audit');
    sendPdf(res, pdf);
  });
  return router;
}
