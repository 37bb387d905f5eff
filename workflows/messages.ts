import { defineQuery } from '@temporalio/workflow';
import type { BulkProgress, ScanProgress } from '../core/contracts';

export const getScanProgressQuery = defineQuery<ScanProgress>('getScanProgress');
export const getBulkProgressQuery = defineQuery<BulkProgress>('getBulkProgress');
