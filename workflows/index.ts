// The worker's workflowsPath: every workflow type this deployment runs.
export { scanWorkflow } from './scan.workflow';
export { bulkScanWorkflow } from './bulk-scan.workflow';
export { scheduledScanWorkflow } from './scheduled-scan.workflow';
export { workerControlWorkflow } from './worker-control.workflow';
export { healthCheckWorkflow } from './health-check.workflow';
export { pruneResultsWorkflow } from './retention.workflow';
export { siteAuditWorkflow } from './site-audit.workflow';
export { scheduledAuditWorkflow } from './scheduled-audit.workflow';
export { reportPdfWorkflow } from './report-pdf.workflow';
