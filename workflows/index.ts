// The worker's workflowsPath: every workflow type this deployment runs.
export { scanWorkflow } from './scan.workflow';
