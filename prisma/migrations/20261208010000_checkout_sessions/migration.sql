-- CreateTable: every Stripe Checkout session the gateway made for an order. A webhook pays a pack only through one of
-- its own sessions (a Payment Link or another session naming the pack in its metadata does not), and an order keeps
-- at most one open session (a client clicking « payer » again gets the same page, not a new Stripe session).
CREATE TABLE "checkout_session" (
    "id" TEXT NOT NULL,
    "pack_id" UUID NOT NULL,
    "url" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "closed_at" TIMESTAMPTZ(3),

    CONSTRAINT "checkout_session_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "checkout_session_pack_id_idx" ON "checkout_session"("pack_id");

-- The sessions made before this table existed (one per order, the last one).
INSERT INTO "checkout_session" ("id", "pack_id", "url", "created_at", "expires_at", "closed_at")
SELECT "checkout_session_id", "id", COALESCE("checkout_url", ''), "updated_at", "payment_deadline",
       CASE WHEN "checkout_url" IS NULL THEN "updated_at" END
  FROM "pack" WHERE "checkout_session_id" IS NOT NULL;
