-- CreateTable
CREATE TABLE "wiring_check" (
    "id" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "wiring_check_pkey" PRIMARY KEY ("id")
);
