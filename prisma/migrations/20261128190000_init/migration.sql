-- CreateEnum
CREATE TYPE "ScanStatus" AS ENUM ('queued', 'running', 'completed', 'failed', 'cancelled');

-- CreateTable
CREATE TABLE "api_keys" (
    "id" UUID NOT NULL,
    "client_id" TEXT NOT NULL,
    "name" TEXT,
    "key_hash" TEXT NOT NULL,
    "key_prefix" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "scans" (
    "id" UUID NOT NULL,
    "workflow_id" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "target_host" TEXT NOT NULL,
    "client_id" TEXT NOT NULL,
    "prospect_id" TEXT,
    "queue" TEXT NOT NULL,
    "priority" INTEGER NOT NULL,
    "status" "ScanStatus" NOT NULL DEFAULT 'queued',
    "options" JSONB NOT NULL DEFAULT '{}',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "score" INTEGER,
    "inconclusive" BOOLEAN NOT NULL DEFAULT false,
    "inconclusive_reason" TEXT,
    "violation_count" INTEGER,
    "incomplete_count" INTEGER,
    "critical_count" INTEGER,
    "serious_count" INTEGER,
    "moderate_count" INTEGER,
    "minor_count" INTEGER,
    "failure_reason" TEXT,
    "failure_message" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    "duration_ms" INTEGER,

    CONSTRAINT "scans_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "scan_results" (
    "scan_id" UUID NOT NULL,
    "axe_version" TEXT NOT NULL,
    "final_url" TEXT NOT NULL,
    "http_status" INTEGER,
    "page_title" TEXT,
    "raw" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "scan_results_pkey" PRIMARY KEY ("scan_id")
);

-- CreateTable
CREATE TABLE "scan_violations" (
    "id" BIGSERIAL NOT NULL,
    "scan_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "rule_id" TEXT NOT NULL,
    "impact" TEXT,
    "wcag" TEXT[],
    "tags" TEXT[],
    "help" TEXT NOT NULL,
    "help_url" TEXT NOT NULL,
    "node_count" INTEGER NOT NULL,
    "nodes" JSONB NOT NULL,

    CONSTRAINT "scan_violations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "scan_attempts" (
    "id" BIGSERIAL NOT NULL,
    "scan_id" UUID NOT NULL,
    "attempt" INTEGER NOT NULL,
    "category" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "scan_attempts_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "api_keys_key_hash_key" ON "api_keys"("key_hash");

-- CreateIndex
CREATE INDEX "api_keys_client_id_idx" ON "api_keys"("client_id");

-- CreateIndex
CREATE UNIQUE INDEX "scans_workflow_id_key" ON "scans"("workflow_id");

-- CreateIndex
CREATE INDEX "scans_client_id_created_at_idx" ON "scans"("client_id", "created_at" DESC);

-- CreateIndex
CREATE INDEX "scans_status_created_at_idx" ON "scans"("status", "created_at" DESC);

-- CreateIndex
CREATE INDEX "scans_created_at_idx" ON "scans"("created_at" DESC);

-- CreateIndex
CREATE INDEX "scans_prospect_id_idx" ON "scans"("prospect_id");

-- CreateIndex
CREATE INDEX "scan_violations_scan_id_idx" ON "scan_violations"("scan_id");

-- CreateIndex
CREATE INDEX "scan_violations_rule_id_idx" ON "scan_violations"("rule_id");

-- CreateIndex
CREATE UNIQUE INDEX "scan_attempts_scan_id_attempt_key" ON "scan_attempts"("scan_id", "attempt");

-- AddForeignKey
ALTER TABLE "scan_results" ADD CONSTRAINT "scan_results_scan_id_fkey" FOREIGN KEY ("scan_id") REFERENCES "scans"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "scan_violations" ADD CONSTRAINT "scan_violations_scan_id_fkey" FOREIGN KEY ("scan_id") REFERENCES "scans"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "scan_attempts" ADD CONSTRAINT "scan_attempts_scan_id_fkey" FOREIGN KEY ("scan_id") REFERENCES "scans"("id") ON DELETE CASCADE ON UPDATE CASCADE;
