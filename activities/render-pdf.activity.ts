// Prints an HTML document (the audit report page) to a tagged PDF with the worker's browser pool. The HTML is
// self-contained: scripts are off and every request the page tries is refused, so printing fetches nothing.
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { BrowserPool } from './browser/browser-pool';

/** Temporal refuses payloads over 2 MB; the PDF travels back as one, so stay clear of that. */
export const PDF_MAX_BYTES = 1.5 * 1024 * 1024;
const LOAD_TIMEOUT_MS = 30_000;

export interface RenderPdfInput {
  html: string;
  /** Printed in each page's footer with the page number. */
  title: string;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function createRenderPdfActivity(deps: { pool: BrowserPool }) {
  return {
    async renderPdf({ html, title }: RenderPdfInput): Promise<Uint8Array> {
      const ctx = Context.current();
      const lease = await deps.pool.acquire(ctx.cancellationSignal);
      try {
        const { page } = lease;
        await page.setJavaScriptEnabled(false);
        await page.setRequestInterception(true);
        page.on('request', (req) => void req.abort('blockedbyclient').catch(() => undefined));
        await page.setContent(html, { waitUntil: 'load', timeout: LOAD_TIMEOUT_MS });
        const pdf = await page.pdf({
          // Tagged (structure tree, reading order, table headers) and with an outline from the headings: the PDF
          // an agency sends must itself be accessible.
          tagged: true,
          outline: true,
          printBackground: true,
          format: 'A4',
          margin: { top: '14mm', bottom: '16mm', left: '12mm', right: '12mm' },
          displayHeaderFooter: true,
          headerTemplate: '<span></span>',
          footerTemplate: `<div style="font-size:8px;width:100%;padding:0 12mm;color:#4a5360">${escapeHtml(title)} · page <span class="pageNumber"></span> of <span class="totalPages"></span></div>`,
          timeout: LOAD_TIMEOUT_MS,
        });
        if (pdf.byteLength > PDF_MAX_BYTES) {
          throw ApplicationFailure.nonRetryable(
            `the PDF is ${(pdf.byteLength / 1048576).toFixed(1)} MB, over the ${PDF_MAX_BYTES / 1048576} MB a workflow result may carry; use the CSV or JSON export`,
            'too_large',
          );
        }
        return pdf;
      } finally {
        await lease.release();
      }
    },
  };
}
