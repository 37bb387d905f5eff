import { defineQuery } from '@temporalio/workflow';
import type { BulkProgress, ScanProgress } from '../core/contracts';
import type { AuditRunProgress } from '../core/audit';

export const getScanProgressQuery = defineQuery<ScanProgress>('getScanProgress');
export const getBulkProgressQuery = defineQuery<BulkProgress>('getBulkProgress');
export const getAuditProgressQuery = defineQuery<AuditRunProgress>('getAuditProgress');
