import type { SiteAuditInput, SiteAuditOutcome } from '../core/audit';

/** STUB (being written): discovers a site's pages and scans each as a child scanWorkflow. */
export async function siteAuditWorkflow(input: SiteAuditInput): Promise<SiteAuditOutcome> {
  return {
    auditId: input.auditId,
    status: 'failed',
    progress: { discovered: 0, queued: 0, scanning: 0, scanned: 0, failed: 0, skipped: 0 },
  };
}
