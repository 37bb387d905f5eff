// The read side of an audit's site report: what buildSiteReport needs, in a few queries, and its CSV export.
import type { AuditOptions, AuditPageStatus, SkipReason } from '../../core/audit';
import type { Prisma, PrismaClient } from '../../lib/prisma';
import { buildSiteReport, type ReportPageInput, type ReportRuleInput, type SiteReport } from '../../audits/site-report';
import { siteHostsOf } from '../../audits/normalise-url';
import { csvCell } from './csv';

/** What of an audit row the report depends on. */
export interface ReportedAudit {
  id: string;
  clientId: string;
  prospectId: string | null;
  startUrl: string;
  createdAt: Date;
  options: Prisma.JsonValue;
}

async function pagesOf(prisma: PrismaClient, auditId: string): Promise<ReportPageInput[]> {
  const rows = await prisma.auditPage.findMany({
    where: { auditId },
    orderBy: { id: 'asc' },
    select: {
      id: true,
      url: true,
      status: true,
      skipReason: true,
      detail: true,
      depth: true,
      pattern: true,
      scanId: true,
      scan: {
        select: {
          score: true,
          criticalCount: true,
          seriousCount: true,
          moderateCount: true,
          minorCount: true,
          failureReason: true,
          result: { select: { skeleton: true } },
        },
      },
    },
  });
  return rows.map((r) => {
    const s = r.scan;
    const counted = s && s.criticalCount !== null;
    return {
      pageId: String(r.id),
      url: r.url,
      status: r.status as AuditPageStatus,
      skipReason: r.skipReason as SkipReason | null,
      detail: r.detail,
      depth: r.depth,
      pattern: r.pattern,
      scanId: r.scanId,
      score: s?.score ?? null,
      counts: counted
        ? { critical: s.criticalCount ?? 0, serious: s.seriousCount ?? 0, moderate: s.moderateCount ?? 0, minor: s.minorCount ?? 0 }
        : null,
      skeleton: s?.result?.skeleton ?? null,
      failureReason: s?.failureReason ?? null,
    };
  });
}

async function rulesOf(prisma: PrismaClient, pages: ReportPageInput[]): Promise<ReportRuleInput[]> {
  const scanIds = pages.flatMap((p) => (p.status === 'scanned' && p.scanId ? [p.scanId] : []));
  if (scanIds.length === 0) return [];
  const rows = await prisma.scanViolation.findMany({
    where: { scanId: { in: scanIds }, kind: 'violation' },
    select: { scanId: true, kind: true, ruleId: true, impact: true, wcag: true, help: true, helpUrl: true, nodeCount: true, nodes: true },
  });
  return rows.map((r) => ({ ...r, nodes: r.nodes as unknown as ReportRuleInput['nodes'] }));
}

/** The previous completed audit of the same client and site (and prospect, when set), created before this one. */
async function previousOf(prisma: PrismaClient, audit: ReportedAudit) {
  const previous = await prisma.audit.findFirst({
    where: {
      id: { not: audit.id },
      clientId: audit.clientId,
      status: 'completed',
      createdAt: { lt: audit.createdAt },
      // The same spelling audits store (host with its port when not the default).
      siteHosts: { has: siteHostsOf(audit.startUrl)[0] },
      ...(audit.prospectId && { prospectId: audit.prospectId }),
    },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    select: { id: true },
  });
  if (!previous) return undefined;
  const pages = await pagesOf(prisma, previous.id);
  return { auditId: previous.id, pages, rules: await rulesOf(prisma, pages) };
}

/** The site report of an audit, from what Postgres holds now. */
export async function loadSiteReport(prisma: PrismaClient, audit: ReportedAudit): Promise<SiteReport> {
  const pages = await pagesOf(prisma, audit.id);
  const [rules, previous] = await Promise.all([rulesOf(prisma, pages), previousOf(prisma, audit)]);
  const { sampling } = audit.options as unknown as AuditOptions;
  return buildSiteReport({ pages, rules, ...(sampling && { sampling }), ...(previous && { previous }) });
}

const CSV_HEADER = ['impact', 'rule', 'wcag', 'where', 'pages', 'of pages', 'elements', 'help', 'help url', 'example page'];

/** One row per site issue (as grouped where it is fixed); cells neutralised against spreadsheet formulas. */
export function siteIssuesCsv(report: SiteReport): string {
  const rows = report.issues.map((i) => [
    i.impact ?? '',
    i.ruleId,
    i.wcag.join(' '),
    i.where,
    String(i.pages),
    String(i.ofPages),
    String(i.elements),
    i.help,
    i.helpUrl,
    i.examplePages[0] ?? '',
  ]);
  return `${[CSV_HEADER, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`;
}
