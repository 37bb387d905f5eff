-- CreateTable
CREATE TABLE "circuit_breakers" (
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "failures" INTEGER NOT NULL DEFAULT 0,
    "successes" INTEGER NOT NULL DEFAULT 0,
    "probes" INTEGER NOT NULL DEFAULT 0,
    "opened_at" TIMESTAMPTZ(3),
    "last_error" TEXT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "circuit_breakers_pkey" PRIMARY KEY ("name")
);

-- CreateTable
CREATE TABLE "client_rate_limits" (
    "client_id" TEXT NOT NULL,
    "scans_per_hour" INTEGER NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "client_rate_limits_pkey" PRIMARY KEY ("client_id")
);

-- CreateTable
CREATE TABLE "rate_limit_windows" (
    "client_id" TEXT NOT NULL,
    "window_start" TIMESTAMPTZ(3) NOT NULL,
    "used" INTEGER NOT NULL DEFAULT 0,
    "last_grant" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "rate_limit_windows_pkey" PRIMARY KEY ("client_id","window_start")
);

-- CreateTable
CREATE TABLE "safety_rejections" (
    "reason" TEXT NOT NULL,
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "safety_rejections_pkey" PRIMARY KEY ("reason","hour")
);

-- CreateIndex
CREATE INDEX "rate_limit_windows_window_start_idx" ON "rate_limit_windows"("window_start");

-- CreateIndex
CREATE INDEX "safety_rejections_hour_idx" ON "safety_rejections"("hour");
