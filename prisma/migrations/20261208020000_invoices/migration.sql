-- Invoices and credit notes (issue 14) and the contract on a durable medium (issue 13, point 3).

-- The buyer as an invoice names them: optional, asked on the order form (CGI ann. II art. 242 nonies A: a business
-- buyer's name and SIREN, a billing address). Each issued document keeps its own copy, so erasing the client (which
-- clears these) leaves the documents as issued.
ALTER TABLE "customer" ADD COLUMN "billing_address" TEXT,
                       ADD COLUMN "business_name" TEXT,
                       ADD COLUMN "business_siren" TEXT;

-- The files an email carries, by name: [{ "kind": "cgv" | "order_recap" | "withdrawal_form" | "document", "ref": … }].
-- The delivery builds or loads them (src/activities/attachments.ts): the outbox row never holds the bytes.
ALTER TABLE "outbox_email" ADD COLUMN "attachments" JSONB NOT NULL DEFAULT '[]';

-- One chronological series per kind and year, without gaps: the last number given. A row lock on it, taken by the
-- transaction that stores the document, serialises the numbering, and a transaction that fails gives its number back.
-- (A sequence would not: nextval() is never rolled back.)
CREATE TABLE "invoice_counter" (
    "kind" TEXT NOT NULL,
    "year" INTEGER NOT NULL,
    "last" INTEGER NOT NULL,

    CONSTRAINT "invoice_counter_pkey" PRIMARY KEY ("kind", "year"),
    CONSTRAINT "invoice_counter_kind_check" CHECK ("kind" IN ('invoice', 'credit_note')),
    CONSTRAINT "invoice_counter_last_check" CHECK ("last" BETWEEN 1 AND 99999)
);

-- An issued invoice (F<year>-<5 digits>) or credit note (A<year>-<5 digits>): numbered and stored in one transaction,
-- keyed by the business event that issued it (`invoice:<pack>`, `credit:<refund key>`), so it is issued once.
-- `document` is the whole typed document as issued (src/documents `InvoiceDocument`): what the PDF shows.
CREATE TABLE "invoice" (
    "number" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "year" INTEGER NOT NULL,
    "seq" INTEGER NOT NULL,
    "pack_id" UUID NOT NULL,
    "issued_at" TIMESTAMPTZ(3) NOT NULL,
    "corrects" TEXT,
    "excl_vat_cents" INTEGER NOT NULL,
    "vat_cents" INTEGER NOT NULL,
    "incl_vat_cents" INTEGER NOT NULL,
    "payment_method" TEXT NOT NULL,
    "payment_reference" TEXT,
    "buyer_name" TEXT NOT NULL,
    "document" JSONB NOT NULL,

    CONSTRAINT "invoice_pkey" PRIMARY KEY ("number"),
    CONSTRAINT "invoice_key_key" UNIQUE ("key"),
    CONSTRAINT "invoice_kind_year_seq_key" UNIQUE ("kind", "year", "seq"),
    CONSTRAINT "invoice_kind_check" CHECK ("kind" IN ('invoice', 'credit_note')),
    CONSTRAINT "invoice_number_check"
        CHECK ("number" = (CASE "kind" WHEN 'invoice' THEN 'F' ELSE 'A' END) || "year" || '-' || lpad("seq"::text, 5, '0')),
    CONSTRAINT "invoice_corrects_check" CHECK (("kind" = 'credit_note') = ("corrects" IS NOT NULL)),
    CONSTRAINT "invoice_pack_id_fkey" FOREIGN KEY ("pack_id") REFERENCES "pack"("id") ON DELETE RESTRICT ON UPDATE RESTRICT,
    CONSTRAINT "invoice_corrects_fkey" FOREIGN KEY ("corrects") REFERENCES "invoice"("number") ON DELETE RESTRICT ON UPDATE RESTRICT
);
CREATE INDEX "invoice_pack_id_idx" ON "invoice"("pack_id");
CREATE INDEX "invoice_issued_at_idx" ON "invoice"("issued_at");

-- The PDF/A-3 with its factur-x.xml, rendered once from the stored document right after it was numbered (the
-- rendering stays out of the numbering's lock), and kept as issued.
CREATE TABLE "invoice_pdf" (
    "number" TEXT NOT NULL,
    "pdf" BYTEA NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "invoice_pdf_pkey" PRIMARY KEY ("number"),
    CONSTRAINT "invoice_pdf_number_fkey" FOREIGN KEY ("number") REFERENCES "invoice"("number") ON DELETE RESTRICT ON UPDATE RESTRICT
);

-- Issued documents are immutable (CGI art. 289, kept 10 years: Code de commerce L123-22): PostgreSQL itself refuses
-- to change or delete them, whoever asks. A mistake is corrected by a credit note, never by an edit.
-- The body is an E'' string whose semicolons are written \073: Prisma's pg driver adapter runs a migration by
-- splitting it at every semicolon (@prisma/adapter-pg executeScript), comments and function bodies included.
CREATE FUNCTION "refuse_change_of_issued_document"() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  IF TG_LEVEL = ''STATEMENT'' THEN
    RAISE EXCEPTION ''issued documents are immutable: % on % refused'', TG_OP, TG_TABLE_NAME
      USING ERRCODE = ''P0001'', HINT = ''An invoice is corrected by a credit note, never changed or deleted.''\073
  END IF\073
  RAISE EXCEPTION ''issued document % is immutable: % on % refused'', OLD."number", TG_OP, TG_TABLE_NAME
    USING ERRCODE = ''P0001'', HINT = ''An invoice is corrected by a credit note, never changed or deleted.''\073
END
';

CREATE TRIGGER "invoice_immutable" BEFORE UPDATE OR DELETE ON "invoice"
    FOR EACH ROW EXECUTE FUNCTION "refuse_change_of_issued_document"();
CREATE TRIGGER "invoice_not_truncated" BEFORE TRUNCATE ON "invoice"
    FOR EACH STATEMENT EXECUTE FUNCTION "refuse_change_of_issued_document"();
CREATE TRIGGER "invoice_pdf_immutable" BEFORE UPDATE OR DELETE ON "invoice_pdf"
    FOR EACH ROW EXECUTE FUNCTION "refuse_change_of_issued_document"();
CREATE TRIGGER "invoice_pdf_not_truncated" BEFORE TRUNCATE ON "invoice_pdf"
    FOR EACH STATEMENT EXECUTE FUNCTION "refuse_change_of_issued_document"();
