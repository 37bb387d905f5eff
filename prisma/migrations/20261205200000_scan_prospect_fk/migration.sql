-- scans.prospect_id becomes a real reference to prospects(id). Deleting a prospect now clears it on the prospect's
-- scans (they stay, with their results); until now they kept an id that named nothing anyone could read.
--
-- Links that name no prospect of the scan's own client are cleared first: scans of prospects deleted before this
-- migration (the rule above, applied to them too), and ids that are not a prospect's at all. The API never showed
-- them: a prospect's history and latest scan count only scans of its own client.
UPDATE "scans" s
SET "prospect_id" = NULL
WHERE s."prospect_id" IS NOT NULL
  AND NOT EXISTS (
    SELECT 1 FROM "prospects" p WHERE p."id"::text = lower(s."prospect_id") AND p."client_id" = s."client_id"
  );

-- AlterTable: the indexes on prospect_id are rebuilt for the new type.
ALTER TABLE "scans" ALTER COLUMN "prospect_id" SET DATA TYPE UUID USING lower("prospect_id")::uuid;

-- AddForeignKey
ALTER TABLE "scans" ADD CONSTRAINT "scans_prospect_id_fkey" FOREIGN KEY ("prospect_id") REFERENCES "prospects"("id") ON DELETE SET NULL ON UPDATE CASCADE;
