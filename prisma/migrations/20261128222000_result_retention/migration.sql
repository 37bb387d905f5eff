-- Data retention (README "Data retention"): raw axe results older than RESULT_RETENTION_DAYS are pruned; the scan
-- row (score, counts, status, timings) stays forever. raw_pruned_at marks a pruned scan, and the index lets each
-- daily run find the next batch without walking the rows it already pruned.

-- AlterTable
ALTER TABLE "scans" ADD COLUMN     "raw_pruned_at" TIMESTAMPTZ(3);

-- CreateIndex
CREATE INDEX "scans_raw_pruned_at_finished_at_idx" ON "scans"("raw_pruned_at", "finished_at");
