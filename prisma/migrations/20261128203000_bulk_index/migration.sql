-- AlterTable
ALTER TABLE "scans" ADD COLUMN     "bulk_index" INTEGER;

-- CreateIndex
CREATE UNIQUE INDEX "scans_bulk_id_bulk_index_key" ON "scans"("bulk_id", "bulk_index");
