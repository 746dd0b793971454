-- CreateTable: every version of the terms of sale the site has shown, whole, so the exact text a client accepted can
-- be produced for as long as the contract must be kept (Code de la consommation L213-1: 10 years from 120 €).
CREATE TABLE "cgv_version" (
    "version" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "shown_since" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "cgv_version_pkey" PRIMARY KEY ("version")
);
