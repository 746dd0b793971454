-- A refund the provider owes by bank transfer has a due date (Code de la consommation L221-24: 14 days after the
-- client's withdrawal statement was received). It stays in the dashboard's « À faire » until marked paid (done_at).
ALTER TABLE "provider_task" ADD COLUMN "due_at" TIMESTAMPTZ(3);

-- Refund tasks already open (from before due dates): due 14 days after they were created.
UPDATE "provider_task" SET "due_at" = "created_at" + interval '14 days'
 WHERE "done_at" IS NULL AND "kind" IN ('BANK_REFUND', 'CARD_REFUND_FAILED');

-- CreateIndex
CREATE INDEX "provider_task_done_at_due_at_idx" ON "provider_task"("done_at", "due_at");
