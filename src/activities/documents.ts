/**
 * Issuing invoices and credit notes (issue 14): once per business event, numbered without gaps by PostgreSQL, kept
 * as issued. The workflow asks for a document through `issueDocument` with the event's key (`invoice:<pack>`,
 * `credit:<refund key>`); a retried attempt, a replayed history or an attempt lost with its worker finds the document
 * that key already issued, and never makes a second one.
 *
 * Issuing is two steps, each idempotent:
 * 1. one transaction takes the next number of its series (kind and year) under the counter row's lock and stores the
 *    typed document with it — the number and the document commit together or not at all, so a failure gives the
 *    number back and the series keeps no gap;
 * 2. the PDF/A-3 is rendered from that stored document, outside the lock (rendering is the slow part: the series
 *    would otherwise be numbered one PDF at a time), and stored once. An attempt that died between the two finds the
 *    document without its PDF and renders it: the rendering is a function of the stored document alone.
 */
import type { Pool } from 'pg';
import {
  buildInvoiceDocument,
  invoicePdf,
  type DocumentKind,
  type DocumentSeller,
  type InvoiceBuyer,
  type InvoiceDocument,
  type InvoiceLineInput,
} from '../documents';
import { inTransaction } from '../infra/database';
import { DEFAULT_CATALOG, isPackCode } from '../shared/catalog';
import type { PaymentMethod } from '../shared/pack';

/** What the workflow asks for: the facts of the business event, never personal data (PostgreSQL has those). */
export interface DocumentRequest {
  packId: string;
  /** The business event, once: `invoice:<packId>`, `credit:<refund key>`. */
  key: string;
  kind: DocumentKind;
  /** Invoice: when the pack was paid in full. Credit note: when the refund was made (or decided, if owed). */
  paidAtMs: number;
  method: PaymentMethod;
  /** Stripe's PaymentIntent or refund id, or the transfer's reference(s). */
  reference?: string;
  /** Including VAT: the pack's price (invoice) or the amount refunded (credit note). */
  amountCents: number;
  /** A credit note: the key of the invoice it corrects, why, and until when a refund owed by transfer is due. */
  corrects?: string;
  reason?: string;
  refundDueAtMs?: number;
  /** A partial credit note: the hours whose price it gives back. */
  hours?: number;
}

export interface IssuedDocument {
  number: string;
  kind: DocumentKind;
  issuedAt: string;
  totalCents: number;
}

/** The documents' own time zone (src/documents/dates.ts): the year of a number is the year of its issue in Paris. */
const SERIES_ZONE = 'Europe/Paris';
const PREFIX: Record<DocumentKind, string> = { invoice: 'F', credit_note: 'A' };

/** The wording of a pack on its documents (the catalog's label, the nature of the service). */
export function packDescription(packCode: string): string {
  const label = isPackCode(packCode) ? DEFAULT_CATALOG[packCode].label : packCode;
  return `${label} — accompagnement individuel à distance (Zoom)`;
}

const parisYear = (d: Date): number => Number(new Intl.DateTimeFormat('en-GB', { timeZone: SERIES_ZONE, year: 'numeric' }).format(d));

interface StoredDocument {
  number: string;
  kind: DocumentKind;
  issuedAt: Date;
  inclVatCents: number;
  document: InvoiceDocument;
  hasPdf: boolean;
}

/** Raised inside the numbering transaction to roll it back (its number is given back). */
class AlreadyIssued extends Error {}
class YearTurned extends Error {}

type Facts = Pick<Parameters<typeof buildInvoiceDocument>[0], 'soldAt' | 'payment' | 'buyer' | 'lines' | 'correctedInvoice' | 'reason'>;

export function createDocumentIssuer(deps: {
  pool: Pool;
  seller: DocumentSeller;
  iban: string;
  /** Tests only: the PDF renderer (a test makes it fail, as a worker dying between the two steps would). */
  render?: (document: InvoiceDocument) => Promise<Buffer>;
}) {
  const { pool, seller } = deps;
  const render = deps.render ?? invoicePdf;

  const stored = async (key: string): Promise<StoredDocument | undefined> =>
    (
      await pool.query<StoredDocument>(
        `SELECT i.number, i.kind, i.issued_at AS "issuedAt", i.incl_vat_cents AS "inclVatCents", i.document,
                EXISTS (SELECT 1 FROM invoice_pdf f WHERE f.number = i.number) AS "hasPdf"
           FROM invoice i WHERE i.key = $1`,
        [key],
      )
    ).rows[0];

  const storePdf = async (number: string, document: InvoiceDocument): Promise<void> => {
    const pdf = await render(document);
    await pool.query('INSERT INTO invoice_pdf (number, pdf) VALUES ($1, $2) ON CONFLICT (number) DO NOTHING', [number, pdf]);
  };

  const view = (d: StoredDocument): IssuedDocument => ({
    number: d.number,
    kind: d.kind,
    issuedAt: d.issuedAt.toISOString(),
    totalCents: d.inclVatCents,
  });

  /** The buyer and the lines of a pack's invoice, as its order and its client's row say them today. */
  async function invoiceFacts(r: DocumentRequest): Promise<Facts> {
    const row = (
      await pool.query<{
        packCode: string;
        quantity: number;
        totalHours: number;
        priceCents: number;
        orderedAt: Date;
        name: string;
        email: string;
        billingAddress: string | null;
        businessName: string | null;
        businessSiren: string | null;
      }>(
        `SELECT p.pack_code AS "packCode", p.quantity, p.total_hours AS "totalHours", p.price_cents AS "priceCents", p.ordered_at AS "orderedAt",
                c.name, c.email, c.billing_address AS "billingAddress", c.business_name AS "businessName", c.business_siren AS "businessSiren"
           FROM pack p JOIN customer c ON c.id = p.customer_id WHERE p.id = $1::uuid`,
        [r.packId],
      )
    ).rows[0];
    if (!row) throw new Error(`pack ${r.packId} is not in the database`);
    const buyer: InvoiceBuyer = {
      name: row.name,
      email: row.email,
      ...(row.billingAddress ? { billingAddress: row.billingAddress } : {}),
      ...(row.businessName && row.businessSiren ? { business: { name: row.businessName, siren: row.businessSiren } } : {}),
    };
    const lines: InvoiceLineInput[] = [
      {
        description: packDescription(row.packCode),
        hoursPerUnit: row.totalHours / row.quantity,
        quantity: row.quantity,
        unitPriceCents: row.priceCents / row.quantity,
      },
    ];
    return { soldAt: row.orderedAt.toISOString(), payment: payment(r), buyer, lines };
  }

  /** A credit note names the invoice it corrects and its buyer as that invoice did. */
  async function creditNoteFacts(r: DocumentRequest): Promise<Facts> {
    const invoice = r.corrects ? await stored(r.corrects) : undefined;
    // The effects run in order, so the invoice is issued before any credit note on it: missing, it is a retry's matter.
    if (!invoice) throw new Error(`credit note ${r.key}: the invoice ${r.corrects ?? '(none named)'} is not issued yet`);
    const inv = invoice.document;
    const whole = r.amountCents === inv.totals.inclVatCents;
    const lines: InvoiceLineInput[] = whole
      ? inv.lines.map((l) => ({
          description: l.description,
          hoursPerUnit: l.hoursPerUnit,
          quantity: l.quantity,
          unitPriceCents: l.unitPriceCents,
        }))
      : [
          {
            description: `${inv.lines[0]?.description ?? 'Prestation'} — remboursement partiel${r.hours ? ` : ${r.hours} heure${r.hours > 1 ? 's' : ''} non consommée${r.hours > 1 ? 's' : ''}` : ''}`,
            hoursPerUnit: r.hours ?? 0,
            quantity: 1,
            unitPriceCents: r.amountCents,
          },
        ];
    return {
      soldAt: new Date(r.paidAtMs).toISOString(),
      payment: payment(r),
      buyer: inv.buyer,
      lines,
      correctedInvoice: { number: invoice.number, issuedAt: invoice.issuedAt.toISOString() },
      ...(r.reason ? { reason: r.reason } : {}),
    };
  }

  function payment(r: DocumentRequest): Facts['payment'] {
    return {
      method: r.method,
      paidAt: new Date(r.paidAtMs).toISOString(),
      ...(r.reference ? { reference: r.reference } : {}),
      ...(r.method === 'bank_transfer' ? { iban: deps.iban } : {}),
      ...(r.refundDueAtMs !== undefined ? { refundDueAt: new Date(r.refundDueAtMs).toISOString() } : {}),
    };
  }

  /**
   * Step 1: the next number of the series and the document, in one transaction. The counter row's lock orders the
   * documents of a series: the issue instant is read once the lock is held, so numbers and dates rise together.
   */
  async function numberAndStore(r: DocumentRequest, facts: Facts): Promise<StoredDocument> {
    return inTransaction(pool, async (c) => {
      const { rows } = await c.query<{ year: number; last: number; at: Date }>(
        `INSERT INTO invoice_counter (kind, year, last)
         VALUES ($1, extract(year FROM clock_timestamp() AT TIME ZONE '${SERIES_ZONE}')::int, 1)
         ON CONFLICT (kind, year) DO UPDATE SET last = invoice_counter.last + 1
         RETURNING year, last, clock_timestamp() AS at`,
        [r.kind],
      );
      const { year, last, at } = rows[0];
      // The new year began while this waited for the lock: numbered in the old series, it would be dated in the new.
      if (parisYear(at) !== year) throw new YearTurned();
      const number = `${PREFIX[r.kind]}${year}-${String(last).padStart(5, '0')}`;
      const document = buildInvoiceDocument({ kind: r.kind, number, issuedAt: at.toISOString(), seller, ...facts });
      const inserted = await c.query(
        `INSERT INTO invoice (number, key, kind, year, seq, pack_id, issued_at, corrects, excl_vat_cents, vat_cents, incl_vat_cents,
                              payment_method, payment_reference, buyer_name, document)
         VALUES ($1, $2, $3, $4, $5, $6::uuid, $7, $8, $9, $10, $11, $12, $13, $14, $15::jsonb)
         ON CONFLICT (key) DO NOTHING`,
        [
          number,
          r.key,
          r.kind,
          year,
          last,
          r.packId,
          at,
          document.correctedInvoice?.number ?? null,
          document.totals.exclVatCents,
          document.totals.vatCents,
          document.totals.inclVatCents,
          r.method,
          r.reference ?? null,
          document.buyer.business ? `${document.buyer.business.name} (${document.buyer.name})` : document.buyer.name,
          JSON.stringify(document),
        ],
      );
      // Another attempt issued it meanwhile: this transaction, and the number it took, are rolled back.
      if (!inserted.rowCount) throw new AlreadyIssued();
      return { number, kind: r.kind, issuedAt: at, inclVatCents: document.totals.inclVatCents, document, hasPdf: false };
    });
  }

  /** Issues the document of a business event once, and answers it (the same one on every later call). */
  async function issueDocument(r: DocumentRequest): Promise<IssuedDocument> {
    for (let attempt = 0; ; attempt++) {
      const known = await stored(r.key);
      if (known) {
        if (!known.hasPdf) await storePdf(known.number, known.document);
        return view(known);
      }
      const facts = r.kind === 'invoice' ? await invoiceFacts(r) : await creditNoteFacts(r);
      try {
        const issued = await numberAndStore(r, facts);
        await storePdf(issued.number, issued.document);
        return view(issued);
      } catch (err) {
        if (!(err instanceof AlreadyIssued || err instanceof YearTurned) || attempt >= 3) throw err;
      }
    }
  }

  return { issueDocument };
}
