-- Site audits (issue #11): one audit discovers a site's pages and scans each as an ordinary scan (scans.audit_id).
-- The frontier and the seen-set are audit_pages (unique per audit and normalised URL), never workflow history.

CREATE TABLE "audits" (
    "id" UUID NOT NULL,
    "workflow_id" TEXT NOT NULL,
    "client_id" TEXT NOT NULL,
    "prospect_id" UUID,
    "schedule_id" TEXT,
    "submitted_by" TEXT NOT NULL,
    "start_url" TEXT NOT NULL,
    -- the audited site: the start URL's host and its www. twin; every scanned page is on one of them
    "site_hosts" TEXT[] NOT NULL,
    "options" JSONB NOT NULL,
    "queue" TEXT NOT NULL,
    "priority" INTEGER NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "failure_reason" TEXT,
    "failure_message" TEXT,
    -- robots.txt as fetched (bounded), re-parsed when links are scoped; null when absent or not respected
    "robots_txt" TEXT,
    -- what discovery read and what it cut: sitemaps, bounds hit, crawl delay
    "discovery" JSONB NOT NULL DEFAULT '{}',
    "pages_started" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    CONSTRAINT "audits_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "audits_workflow_id_key" ON "audits"("workflow_id");
CREATE INDEX "audits_client_id_created_at_idx" ON "audits"("client_id", "created_at" DESC);
CREATE INDEX "audits_prospect_id_created_at_idx" ON "audits"("prospect_id", "created_at" DESC);
CREATE INDEX "audits_created_at_idx" ON "audits"("created_at" DESC);
ALTER TABLE "audits" ADD CONSTRAINT "audits_prospect_id_fkey" FOREIGN KEY ("prospect_id") REFERENCES "prospects"("id") ON DELETE SET NULL ON UPDATE CASCADE;

CREATE TABLE "audit_pages" (
    "id" BIGSERIAL NOT NULL,
    "audit_id" UUID NOT NULL,
    -- normalised (audits/normalise-url.ts): the seen-set key
    "url" TEXT NOT NULL,
    "depth" INTEGER NOT NULL,
    -- start | sitemap | link
    "source" TEXT NOT NULL,
    "found_on" TEXT,
    -- the URL pattern (audits/url-pattern.ts): per-pattern cap and sampling
    "pattern" TEXT NOT NULL,
    -- pending | scanning | scanned | failed | skipped
    "status" TEXT NOT NULL,
    "skip_reason" TEXT,
    "detail" TEXT,
    "scan_id" UUID,
    -- the claim that handed it to the workflow: a retried claim returns the same pages
    "claim" TEXT,
    "lastmod" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "audit_pages_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "audit_pages_audit_id_url_key" ON "audit_pages"("audit_id", "url");
CREATE INDEX "audit_pages_audit_id_status_depth_id_idx" ON "audit_pages"("audit_id", "status", "depth", "id");
CREATE INDEX "audit_pages_audit_id_claim_idx" ON "audit_pages"("audit_id", "claim");
CREATE INDEX "audit_pages_scan_id_idx" ON "audit_pages"("scan_id");
ALTER TABLE "audit_pages" ADD CONSTRAINT "audit_pages_audit_id_fkey" FOREIGN KEY ("audit_id") REFERENCES "audits"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "audit_pages" ADD CONSTRAINT "audit_pages_scan_id_fkey" FOREIGN KEY ("scan_id") REFERENCES "scans"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- A page scan of an audit is an ordinary scan filed under it.
ALTER TABLE "scans" ADD COLUMN "audit_id" UUID;
CREATE INDEX "scans_audit_id_idx" ON "scans"("audit_id");
ALTER TABLE "scans" ADD CONSTRAINT "scans_audit_id_fkey" FOREIGN KEY ("audit_id") REFERENCES "audits"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- What an audit needs from the rendered page: its links (from the DOM the scan rendered, no second fetch) and its
-- DOM skeleton (template detection). Set only for audit scans.
ALTER TABLE "scan_results" ADD COLUMN "links" JSONB;
ALTER TABLE "scan_results" ADD COLUMN "skeleton" TEXT;
ALTER TABLE "scan_results" ADD COLUMN "content_type" TEXT;
