-- Worker telemetry, health snapshots and alerts (monitoring: health, telemetry, alerts, recovery).

-- CreateTable
CREATE TABLE "worker_status" (
    "identity" TEXT NOT NULL,
    "hostname" TEXT NOT NULL,
    "pid" INTEGER NOT NULL,
    "task_queue_prefix" TEXT NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'running',
    "interval_ms" INTEGER NOT NULL,
    "task_queues" TEXT[],
    "pool" JSONB NOT NULL DEFAULT '{}',
    "process" JSONB NOT NULL DEFAULT '{}',
    "last_health_check_at" TIMESTAMPTZ(3),
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL,
    "stopped_at" TIMESTAMPTZ(3),

    CONSTRAINT "worker_status_pkey" PRIMARY KEY ("identity")
);

-- CreateTable
CREATE TABLE "health_snapshots" (
    "id" BIGSERIAL NOT NULL,
    "task_queue_prefix" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "trigger" TEXT NOT NULL,
    "report" JSONB NOT NULL,
    "actions" JSONB NOT NULL DEFAULT '[]',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "health_snapshots_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "alerts" (
    "id" UUID NOT NULL,
    "task_queue_prefix" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "severity" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'firing',
    "message" TEXT NOT NULL,
    "details" JSONB NOT NULL DEFAULT '{}',
    "occurrences" INTEGER NOT NULL DEFAULT 1,
    "first_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "notified_at" TIMESTAMPTZ(3),
    "resolved_at" TIMESTAMPTZ(3),
    "delivery_status" TEXT NOT NULL DEFAULT 'pending',
    "delivery_attempts" INTEGER NOT NULL DEFAULT 0,
    "delivery_error" TEXT,
    "resolve_delivery_status" TEXT,

    CONSTRAINT "alerts_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "worker_status_task_queue_prefix_last_seen_at_idx" ON "worker_status"("task_queue_prefix", "last_seen_at" DESC);

-- CreateIndex
CREATE INDEX "health_snapshots_task_queue_prefix_created_at_idx" ON "health_snapshots"("task_queue_prefix", "created_at" DESC);

-- CreateIndex
CREATE INDEX "health_snapshots_created_at_idx" ON "health_snapshots"("created_at");

-- CreateIndex
CREATE INDEX "alerts_task_queue_prefix_status_key_idx" ON "alerts"("task_queue_prefix", "status", "key");

-- CreateIndex
CREATE INDEX "alerts_task_queue_prefix_last_seen_at_idx" ON "alerts"("task_queue_prefix", "last_seen_at" DESC);
