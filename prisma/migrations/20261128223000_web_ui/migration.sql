-- Web UI (issue #8): browser sessions and per-scan screenshots.

-- A signed-in browser. Only the SHA-256 of the session token is stored (never the API key it was opened with);
-- a client session keeps the key id so revoking the key ends the session too.
CREATE TABLE "ui_sessions" (
    "token_hash" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "client_id" TEXT,
    "key_id" UUID,
    "csrf_token" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "ui_sessions_pkey" PRIMARY KEY ("token_hash")
);
CREATE INDEX "ui_sessions_expires_at_idx" ON "ui_sessions"("expires_at");

-- The viewport screenshot taken at scan time (SCAN_SCREENSHOTS) and the boxes of the elements axe flagged.
CREATE TABLE "scan_screenshots" (
    "scan_id" UUID NOT NULL,
    "mime" TEXT NOT NULL DEFAULT 'image/jpeg',
    "image" BYTEA NOT NULL,
    "width" INTEGER NOT NULL,
    "height" INTEGER NOT NULL,
    "boxes" JSONB NOT NULL DEFAULT '[]',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "scan_screenshots_pkey" PRIMARY KEY ("scan_id")
);
ALTER TABLE "scan_screenshots" ADD CONSTRAINT "scan_screenshots_scan_id_fkey" FOREIGN KEY ("scan_id") REFERENCES "scans"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Prospect history and compare read a prospect's scans newest first.
CREATE INDEX "scans_prospect_id_created_at_idx" ON "scans"("prospect_id", "created_at" DESC);
