// A scan's exports (violations CSV/JSON, EARL JSON-LD): one builder for the pages (session cookie) and the JSON API
// (Bearer key). Both go through UiService.report, so a client key sees only its own scans (another's is absent).
import { Router, type Response } from 'express';
import { notFound } from '../http-errors';
import { principalOf } from '../middleware/auth';
import type { Principal } from '../services/api-key.service';
import { earlReport, violationsCsv, violationsJson, type ExportScan } from './exports';
import type { UiService } from './ui.service';

export const EXPORT_FORMATS = ['violations.csv', 'violations.json', 'earl.jsonld'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ScanExport {
  filename: string;
  type: string;
  body: string;
}

/** What the exports say about a scan, from its report (also used by the audit's EARL export). */
export function exportScanOf(rep: NonNullable<Awaited<ReturnType<UiService['report']>>>): ExportScan {
  return {
    scanId: rep.scan.scanId,
    url: rep.scan.url,
    finalUrl: rep.scan.result?.finalUrl,
    finishedAt: rep.scan.finishedAt,
    score: rep.scan.score,
    inconclusive: rep.scan.inconclusive,
    axeVersion: rep.scan.result?.axeVersion,
  };
}

/** The export of one scan in one format, or null when the scan is absent or not this principal's. */
export async function buildScanExport(
  ui: UiService,
  scanId: string,
  principal: Principal,
  format: ExportFormat,
): Promise<ScanExport | null> {
  const rep = await ui.report(scanId, principal);
  if (!rep) return null;
  const scan = exportScanOf(rep);
  const filename = `scan-${scan.scanId}-${format}`;
  switch (format) {
    case 'violations.csv':
      return { filename, type: 'text/csv; charset=utf-8', body: violationsCsv(scan, rep.rules) };
    case 'violations.json':
      return { filename, type: 'application/json; charset=utf-8', body: JSON.stringify(violationsJson(scan, rep.rules)) };
    case 'earl.jsonld':
      return {
        filename,
        type: 'application/ld+json',
        body: JSON.stringify(earlReport(scan, rep.rules, await ui.passedRules(scan.scanId)), null, 2),
      };
  }
}

export function sendScanExport(res: Response, exp: ScanExport): void {
  res.set('Content-Disposition', `attachment; filename="${exp.filename}"`).type(exp.type).send(exp.body);
}

/** GET /api/scans/:scanId/{violations.csv,violations.json,earl.jsonld}, behind the API's Bearer authentication. */
export function scanExportsApiRouter(ui: UiService): Router {
  const router = Router();
  for (const format of EXPORT_FORMATS) {
    router.get(`/:scanId/${format}`, async (req, res) => {
      const exp = await buildScanExport(ui, String(req.params.scanId), principalOf(res), format);
      if (!exp) throw notFound('scan');
      sendScanExport(res, exp);
    });
  }
  return router;
}
