-- AlterTable
ALTER TABLE "scan_results" ADD COLUMN     "blocked_requests" JSONB NOT NULL DEFAULT '[]';
