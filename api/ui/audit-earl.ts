// An audit's findings as W3C EARL (JSON-LD), as for a single scan: one graph with the assertions of every scanned
// page (each page a test subject), built with the scan export's own `earlReport`. One builder for the pages (session)
// and the JSON API (Bearer key); both read through the UI service, so a client sees only its own audits.
import { Router } from 'express';
import { conflict, notFound } from '../http-errors';
import { principalOf } from '../middleware/auth';
import type { Principal } from '../services/api-key.service';
import { earlReport } from './exports';
import { exportScanOf } from './scan-exports';
import type { UiService } from './ui.service';

/** The EARL report of an audit; null when the audit is absent or not this principal's, 409 while it has no report. */
export async function auditEarl(ui: UiService, auditId: string, principal: Principal): Promise<object | null> {
  const audit = await ui.audit(auditId, principal);
  if (!audit) return null;
  if (!audit.report) throw conflict(`the audit has no report yet (it is ${audit.status})`);
  const scanIds = audit.report.pageTable.flatMap((p) => (p.status === 'scanned' && p.scanId ? [p.scanId] : []));
  let context: unknown;
  const graph: unknown[] = [];
  // One page at a time: an audit of 1,000 pages is 1,000 small reads, never 1,000 at once.
  for (const scanId of scanIds) {
    const rep = await ui.report(scanId, principal);
    if (!rep) continue;
    const earl = earlReport(exportScanOf(rep), rep.rules, await ui.passedRules(scanId));
    context ??= earl['@context'];
    // The assertor (this platform) once; every page's subject and assertions.
    graph.push(...(graph.length === 0 ? earl['@graph'] : earl['@graph'].slice(1)));
  }
  return { '@context': context ?? {}, '@graph': graph };
}

/** GET /api/audits/:auditId/report.earl.jsonld, behind the API's Bearer authentication. */
export function auditEarlApiRouter(ui: UiService): Router {
  const router = Router();
  router.get('/:auditId/report.earl.jsonld', async (req, res) => {
    const id = String(req.params.auditId);
    const earl = await auditEarl(ui, id, principalOf(res));
    if (!earl) throw notFound('audit');
    res
      .attachment(`audit-${id}-earl.jsonld`)
      .type('application/ld+json')
      .send(JSON.stringify(earl, null, 2));
  });
  return router;
}
