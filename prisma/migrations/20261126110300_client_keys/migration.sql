-- CreateTable
CREATE TABLE "client_key" (
    "customer_id" UUID NOT NULL,
    "key" BYTEA,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "destroyed_at" TIMESTAMPTZ(3),

    CONSTRAINT "client_key_pkey" PRIMARY KEY ("customer_id")
);
