-- CreateTable
CREATE TABLE "customer" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "phone" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "erased_at" TIMESTAMPTZ(3),

    CONSTRAINT "customer_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "consent" (
    "id" BIGSERIAL NOT NULL,
    "customer_id" UUID NOT NULL,
    "pack_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "wording" TEXT NOT NULL,
    "accepted_at" TIMESTAMPTZ(3) NOT NULL,
    "ip" TEXT NOT NULL,
    "user_agent" TEXT NOT NULL,
    "cgv_version" TEXT NOT NULL,

    CONSTRAINT "consent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "pack" (
    "id" UUID NOT NULL,
    "customer_id" UUID NOT NULL,
    "order_key" TEXT NOT NULL,
    "pack_code" TEXT NOT NULL,
    "quantity" INTEGER NOT NULL,
    "total_hours" INTEGER NOT NULL,
    "session_hours" INTEGER NOT NULL,
    "break_minutes" INTEGER NOT NULL,
    "price_cents" INTEGER NOT NULL,
    "currency" TEXT NOT NULL,
    "payment_method" TEXT NOT NULL,
    "bank_reference" TEXT NOT NULL,
    "project" TEXT,
    "status" TEXT NOT NULL,
    "ordered_at" TIMESTAMPTZ(3) NOT NULL,
    "payment_deadline" TIMESTAMPTZ(3) NOT NULL,
    "paid_at" TIMESTAMPTZ(3),
    "paid_cents" INTEGER NOT NULL DEFAULT 0,
    "expires_at" TIMESTAMPTZ(3),
    "hours_used" INTEGER NOT NULL DEFAULT 0,
    "hours_forfeited" INTEGER NOT NULL DEFAULT 0,
    "hours_reserved" INTEGER NOT NULL DEFAULT 0,
    "hours_available" INTEGER NOT NULL,
    "closed_at" TIMESTAMPTZ(3),
    "projected_seq" INTEGER NOT NULL DEFAULT 0,
    "checkout_session_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "pack_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "booking" (
    "id" UUID NOT NULL,
    "pack_id" UUID NOT NULL,
    "start" TIMESTAMPTZ(3) NOT NULL,
    "end" TIMESTAMPTZ(3) NOT NULL,
    "hours" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "penalty_waived" BOOLEAN NOT NULL DEFAULT false,
    "revision" INTEGER NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "booking_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "pack_event" (
    "id" BIGSERIAL NOT NULL,
    "pack_id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "data" JSONB NOT NULL,

    CONSTRAINT "pack_event_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "payment" (
    "id" BIGSERIAL NOT NULL,
    "pack_id" UUID NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "amount_cents" INTEGER NOT NULL,
    "reference" TEXT NOT NULL,
    "paid_at" TIMESTAMPTZ(3) NOT NULL,
    "outcome" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "payment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "refund" (
    "key" TEXT NOT NULL,
    "pack_id" UUID NOT NULL,
    "method" TEXT NOT NULL,
    "amount_cents" INTEGER NOT NULL,
    "stripe_refund_id" TEXT,
    "status" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "refund_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "provider_task" (
    "key" TEXT NOT NULL,
    "pack_id" UUID,
    "kind" TEXT NOT NULL,
    "amount_cents" INTEGER,
    "details" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "done_at" TIMESTAMPTZ(3),

    CONSTRAINT "provider_task_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "outbox_email" (
    "id" BIGSERIAL NOT NULL,
    "pack_id" UUID,
    "key" TEXT NOT NULL,
    "template" TEXT NOT NULL,
    "to_address" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "text_body" TEXT NOT NULL,
    "html_body" TEXT NOT NULL,
    "ics_body" TEXT,
    "message_id" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sent_at" TIMESTAMPTZ(3),

    CONSTRAINT "outbox_email_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "calendar_slot" (
    "id" TEXT NOT NULL,
    "booking_id" UUID NOT NULL,
    "pack_id" UUID NOT NULL,
    "during" tstzrange NOT NULL,
    "released_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "calendar_slot_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "availability" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "timezone" TEXT NOT NULL,
    "weekly" JSONB NOT NULL,
    "exceptions" JSONB NOT NULL,
    "min_notice_hours" INTEGER NOT NULL,
    "buffer_minutes" INTEGER NOT NULL,
    "auto_confirm" BOOLEAN NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "availability_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "customer_email_idx" ON "customer"("email");

-- CreateIndex
CREATE UNIQUE INDEX "consent_pack_id_kind_key" ON "consent"("pack_id", "kind");

-- CreateIndex
CREATE UNIQUE INDEX "pack_order_key_key" ON "pack"("order_key");

-- CreateIndex
CREATE UNIQUE INDEX "pack_bank_reference_key" ON "pack"("bank_reference");

-- CreateIndex
CREATE INDEX "pack_status_idx" ON "pack"("status");

-- CreateIndex
CREATE INDEX "pack_expires_at_idx" ON "pack"("expires_at");

-- CreateIndex
CREATE INDEX "pack_customer_id_idx" ON "pack"("customer_id");

-- CreateIndex
CREATE INDEX "booking_pack_id_idx" ON "booking"("pack_id");

-- CreateIndex
CREATE INDEX "booking_start_idx" ON "booking"("start");

-- CreateIndex
CREATE INDEX "pack_event_pack_id_at_idx" ON "pack_event"("pack_id", "at");

-- CreateIndex
CREATE UNIQUE INDEX "pack_event_pack_id_key_key" ON "pack_event"("pack_id", "key");

-- CreateIndex
CREATE UNIQUE INDEX "payment_idempotency_key_key" ON "payment"("idempotency_key");

-- CreateIndex
CREATE INDEX "payment_pack_id_idx" ON "payment"("pack_id");

-- CreateIndex
CREATE INDEX "refund_pack_id_idx" ON "refund"("pack_id");

-- CreateIndex
CREATE INDEX "provider_task_done_at_idx" ON "provider_task"("done_at");

-- CreateIndex
CREATE UNIQUE INDEX "outbox_email_key_key" ON "outbox_email"("key");

-- CreateIndex
CREATE INDEX "outbox_email_pack_id_status_id_idx" ON "outbox_email"("pack_id", "status", "id");

-- CreateIndex
CREATE INDEX "calendar_slot_booking_id_idx" ON "calendar_slot"("booking_id");

-- AddForeignKey
ALTER TABLE "consent" ADD CONSTRAINT "consent_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customer"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "consent" ADD CONSTRAINT "consent_pack_id_fkey" FOREIGN KEY ("pack_id") REFERENCES "pack"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "pack" ADD CONSTRAINT "pack_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customer"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "booking" ADD CONSTRAINT "booking_pack_id_fkey" FOREIGN KEY ("pack_id") REFERENCES "pack"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "pack_event" ADD CONSTRAINT "pack_event_pack_id_fkey" FOREIGN KEY ("pack_id") REFERENCES "pack"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "payment" ADD CONSTRAINT "payment_pack_id_fkey" FOREIGN KEY ("pack_id") REFERENCES "pack"("id") ON DELETE RESTRICT ON UPDATE CASCADE;


-- The provider's calendar: no two reserved sessions (buffer included) may overlap, across all packs, even when
-- requests race. Prisma's schema language cannot express this constraint.
ALTER TABLE "calendar_slot"
  ADD CONSTRAINT "calendar_slot_no_overlap" EXCLUDE USING gist ("during" WITH &&) WHERE ("released_at" IS NULL);
ALTER TABLE "calendar_slot"
  ADD CONSTRAINT "calendar_slot_range_valid" CHECK (NOT isempty("during") AND lower_inc("during") AND NOT upper_inc("during"));
