-- AlterTable
ALTER TABLE "scans" ADD COLUMN     "bulk_id" UUID,
ADD COLUMN     "retry_of" UUID,
ADD COLUMN     "schedule_id" TEXT,
ADD COLUMN     "stage" TEXT NOT NULL DEFAULT 'queued';

-- CreateTable
CREATE TABLE "bulks" (
    "id" UUID NOT NULL,
    "workflow_id" TEXT NOT NULL,
    "submitted_by" TEXT NOT NULL,
    "queue" TEXT NOT NULL,
    "priority" INTEGER NOT NULL,
    "total" INTEGER NOT NULL,
    "accepted" INTEGER NOT NULL,
    "rejected" JSONB NOT NULL DEFAULT '[]',
    "status" TEXT NOT NULL DEFAULT 'running',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "bulks_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "prospects" (
    "id" UUID NOT NULL,
    "client_id" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "name" TEXT,
    "notes" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "prospects_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "idempotency_keys" (
    "principal" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "request_hash" TEXT NOT NULL,
    "status" INTEGER NOT NULL,
    "response" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "idempotency_keys_pkey" PRIMARY KEY ("principal","key")
);

-- CreateIndex
CREATE UNIQUE INDEX "bulks_workflow_id_key" ON "bulks"("workflow_id");

-- CreateIndex
CREATE INDEX "bulks_created_at_idx" ON "bulks"("created_at" DESC);

-- CreateIndex
CREATE INDEX "prospects_client_id_created_at_idx" ON "prospects"("client_id", "created_at" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "prospects_client_id_url_key" ON "prospects"("client_id", "url");

-- CreateIndex
CREATE INDEX "idempotency_keys_created_at_idx" ON "idempotency_keys"("created_at");

-- CreateIndex
CREATE INDEX "scans_bulk_id_status_idx" ON "scans"("bulk_id", "status");

-- CreateIndex
CREATE INDEX "scans_retry_of_idx" ON "scans"("retry_of");

-- CreateIndex
CREATE INDEX "scans_status_stage_idx" ON "scans"("status", "stage");

-- CreateIndex
CREATE INDEX "scans_finished_at_idx" ON "scans"("finished_at" DESC);

-- AddForeignKey
ALTER TABLE "scans" ADD CONSTRAINT "scans_bulk_id_fkey" FOREIGN KEY ("bulk_id") REFERENCES "bulks"("id") ON DELETE SET NULL ON UPDATE CASCADE;
