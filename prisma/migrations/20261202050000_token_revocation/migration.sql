-- A pack's access tokens issued before this instant are refused (the client was erased): tokens are signed, not stored.
ALTER TABLE "pack" ADD COLUMN "tokens_revoked_at" TIMESTAMPTZ(3);
