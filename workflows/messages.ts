import { defineQuery } from '@temporalio/workflow';
import type { ScanProgress } from './contracts';

export const getScanProgressQuery = defineQuery<ScanProgress>('getScanProgress');
