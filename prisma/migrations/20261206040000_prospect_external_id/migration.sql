-- Prospects get the client's own id for them (a CRM id such as `prospect-123`), so the seed's bulk files of such ids
-- keep working: bulk scans accept it in place of our UUID. Optional (existing prospects have none), and unique per
-- client only: two clients may use the same CRM numbering. NULLs never collide in a unique index.
ALTER TABLE "prospects" ADD COLUMN "external_id" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "prospects_client_id_external_id_key" ON "prospects"("client_id", "external_id");
