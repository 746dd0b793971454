/**
 * Invoices and credit notes as data (issue 14, points 3 and 4): `buildInvoiceDocument` turns the facts of a sale or
 * a refund into the typed document that every renderer (PDF, Factur-X XML, a list, the accountant's CSV) reads.
 * Pure: no clock, no I/O; the number is assigned by the caller (PostgreSQL's counter, no gaps).
 *
 * Mandatory mentions (CGI art. 242 nonies A of annex II; Code de commerce L441-9; C. consom. L112-1 and its
 * arrêté of 2017 for notes to consumers): seller's name, address, SIRET and VAT status, the buyer's name and
 * address (and a business's SIREN), number, dates of issue, sale and payment, each line (description, quantity,
 * unit price), totals excluding VAT, VAT per rate and including VAT, « TVA non applicable, art. 293 B du CGI » under
 * the franchise, the nature « prestation de services », payment terms, and for business buyers the late-payment
 * penalties and the 40 € fixed indemnity (L441-10, D441-5). A credit note names the invoice it corrects.
 */
import { lastDayBefore, parisDay } from './dates';
import { assertCents, euros, percent, splitVat } from './money';
import type { DocumentSeller, PaymentMethod, VatStatus } from './types';

export { FRANCHISE_MENTION } from '../shared/seller';
import { FRANCHISE_MENTION } from '../shared/seller';
export const SERVICE_NATURE = 'Prestation de services';
/** Code de commerce D441-5: due by a business client for any late payment, on top of the penalties. */
export const FIXED_RECOVERY_INDEMNITY_CENTS = 4_000;
/**
 * The late-payment rate: the law's own (L441-10: the ECB's refinancing rate plus 10 points) unless the seller's
 * terms set another, which may not be under three times the legal interest rate.
 */
export const DEFAULT_LATE_PAYMENT_RATE = 'taux de refinancement de la Banque centrale européenne majoré de 10 points';

export type DocumentKind = 'invoice' | 'credit_note';

const NUMBER_FORMAT: Record<DocumentKind, RegExp> = { invoice: /^F\d{4}-\d{5}$/, credit_note: /^A\d{4}-\d{5}$/ };

export interface InvoiceBuyer {
  /** The person who ordered. */
  name: string;
  /** Also the invoice's electronic address for the buyer (Factur-X BT-49). */
  email: string;
  /** Billing address on one line (asked, optional, on the order form). */
  billingAddress?: string;
  /** A business buyer: its name and SIREN (9 digits); the late-payment mentions then apply. */
  business?: { name: string; siren: string };
}

export interface InvoiceLineInput {
  /** e.g. « Pack 1 heure — accompagnement à distance (Zoom) ». */
  description: string;
  /** Hours of coaching one unit gives (1 for the hourly pack, 3 for the half day…), printed with the line. */
  hoursPerUnit: number;
  quantity: number;
  /** The price of one unit, VAT included (the catalog's price), in cents. */
  unitPriceCents: number;
}

export interface InvoiceInput {
  kind: DocumentKind;
  /** F2026-00001 (invoice) or A2026-00001 (credit note), given by the caller. */
  number: string;
  /** ISO instants; the documents print their day in Paris. */
  issuedAt: string;
  /** The sale: the order's date (a credit note: the refund's). */
  soldAt: string;
  payment: {
    method: PaymentMethod;
    /** When the money arrived (invoice) or was paid back (credit note). */
    paidAt: string;
    /** Stripe's payment or refund id, or the transfer's reference. */
    reference?: string;
    /** A transfer: the seller's IBAN it was paid to (Factur-X BT-84; without it the XML names no payment means). */
    iban?: string;
    /**
     * A credit note whose money the seller still has to pay back (a transfer the provider makes): the instant
     * (exclusive) it is due by (L221-24). `paidAt` is then when the refund was decided.
     */
    refundDueAt?: string;
  };
  seller: DocumentSeller;
  buyer: InvoiceBuyer;
  lines: InvoiceLineInput[];
  /** A credit note: the invoice it corrects. */
  correctedInvoice?: { number: string; issuedAt: string };
  /** A credit note: why (« Rétractation du client », « Paiement en double »…). */
  reason?: string;
  /** Business buyers only; defaults to `DEFAULT_LATE_PAYMENT_RATE`. */
  latePaymentRate?: string;
}

export interface InvoiceLine extends InvoiceLineInput {
  /** Position, from 1. */
  id: number;
  /** Unit price excluding VAT, rounded to the cent (informative: the line's amounts below are exact). */
  unitPriceExclVatCents: number;
  /** quantity × unit price including VAT, split by `splitVat`. */
  total: { inclVatCents: number; exclVatCents: number; vatCents: number };
  hours: number;
}

export interface InvoiceTotals {
  /** Sum of the lines' amounts excluding VAT (the VAT basis). */
  exclVatCents: number;
  /** Amount including VAT minus the amount excluding VAT. */
  vatCents: number;
  /** Sum of the lines' amounts including VAT. */
  inclVatCents: number;
  /** Already paid: the whole amount, since payment is due at order (CGV); nothing remains due. */
  paidCents: number;
  dueCents: number;
}

export interface InvoiceDocument {
  kind: DocumentKind;
  number: string;
  /** « Facture » or « Avoir ». */
  title: string;
  issuedAt: string;
  issueDate: string;
  soldAt: string;
  saleDate: string;
  payment: InvoiceInput['payment'] & { methodLabel: string; paymentDate: string };
  seller: DocumentSeller;
  buyer: InvoiceBuyer;
  lines: InvoiceLine[];
  /** The rate of every line: 0 under the franchise. */
  vatRatePercent: number;
  totals: InvoiceTotals;
  correctedInvoice?: { number: string; issuedAt: string; issueDate: string };
  reason?: string;
  /** Each mention as printed, in order. */
  mentions: {
    nature: string;
    /** The franchise mention, or the seller's VAT number. */
    vat: string;
    paymentTerms: string;
    /** Business buyers: no discount, the penalties, the fixed indemnity (in this order). Empty for a consumer. */
    latePayment: string[];
    /** A credit note: « Avoir sur la facture F2026-00001 du 26/11/2026 ». */
    correction?: string;
  };
}

export const PAYMENT_METHOD_LABELS: Record<PaymentMethod, string> = {
  card: 'carte bancaire',
  bank_transfer: 'virement bancaire',
};

export const vatRateOf = (vat: VatStatus): number => (vat.regime === 'franchise' ? 0 : vat.ratePercent);

/** The document, with its lines' amounts and its totals computed (integer cents that add up to the cent). */
export function buildInvoiceDocument(input: InvoiceInput): InvoiceDocument {
  if (!NUMBER_FORMAT[input.kind].test(input.number)) {
    throw new RangeError(`${input.kind} number ${input.number} does not match ${String(NUMBER_FORMAT[input.kind])}`);
  }
  if (input.kind === 'credit_note' && !input.correctedInvoice) throw new RangeError('a credit note names the invoice it corrects');
  if (input.correctedInvoice && !NUMBER_FORMAT.invoice.test(input.correctedInvoice.number)) {
    throw new RangeError(`corrected invoice number ${input.correctedInvoice.number} is not an invoice number`);
  }
  if (input.lines.length === 0) throw new RangeError('a document has at least one line');
  if (input.buyer.business && !/^\d{9}$/.test(input.buyer.business.siren)) throw new RangeError('a SIREN has 9 digits');
  const rate = vatRateOf(input.seller.vat);

  input.lines.forEach((l, i) => {
    if (!Number.isInteger(l.quantity) || l.quantity < 1) throw new RangeError(`line ${i + 1}: quantity must be a positive integer`);
    assertCents(l.unitPriceCents, `line ${i + 1}: unit price`);
  });
  const inclVat = input.lines.map((l) => l.quantity * l.unitPriceCents);
  const total = splitVat(sum(inclVat), rate);
  const exclVat = allocate(total.exclVatCents, inclVat, rate);
  const lines = input.lines.map((l, i): InvoiceLine => ({
    ...l,
    id: i + 1,
    unitPriceExclVatCents: splitVat(l.unitPriceCents, rate).exclVatCents,
    total: { inclVatCents: inclVat[i], exclVatCents: exclVat[i], vatCents: inclVat[i] - exclVat[i] },
    hours: l.quantity * l.hoursPerUnit,
  }));
  const totals: InvoiceTotals = { ...total, paidCents: total.inclVatCents, dueCents: 0 };

  const paymentDate = parisDay(input.payment.paidAt);
  const methodLabel = PAYMENT_METHOD_LABELS[input.payment.method];
  const paymentTerms =
    input.kind === 'invoice'
      ? `Paiement comptant à la commande. Facture acquittée le ${frDate(paymentDate)} par ${methodLabel}.`
      : input.payment.refundDueAt
        ? `Montant à rembourser par ${methodLabel} au plus tard le ${lastDayBefore(input.payment.refundDueAt)}.`
        : `Montant remboursé le ${frDate(paymentDate)} par ${methodLabel}.`;
  const latePayment = input.buyer.business
    ? [
        'Aucun escompte pour paiement anticipé.',
        `En cas de retard de paiement, pénalités exigibles sans rappel au ${input.latePaymentRate ?? DEFAULT_LATE_PAYMENT_RATE} (Code de commerce, art. L441-10).`,
        `Indemnité forfaitaire pour frais de recouvrement due en cas de retard de paiement : ${euros(FIXED_RECOVERY_INDEMNITY_CENTS)} (Code de commerce, art. D441-5).`,
      ]
    : [];
  const corrected = input.correctedInvoice && { ...input.correctedInvoice, issueDate: parisDay(input.correctedInvoice.issuedAt) };

  return {
    kind: input.kind,
    number: input.number,
    title: input.kind === 'invoice' ? 'Facture' : 'Avoir',
    issuedAt: input.issuedAt,
    issueDate: parisDay(input.issuedAt),
    soldAt: input.soldAt,
    saleDate: parisDay(input.soldAt),
    payment: { ...input.payment, methodLabel, paymentDate },
    seller: input.seller,
    buyer: input.buyer,
    lines,
    vatRatePercent: rate,
    totals,
    ...(corrected ? { correctedInvoice: corrected } : {}),
    ...(input.reason ? { reason: input.reason } : {}),
    mentions: {
      nature: SERVICE_NATURE,
      vat:
        input.seller.vat.regime === 'franchise'
          ? FRANCHISE_MENTION
          : `N° de TVA intracommunautaire : ${input.seller.vat.number} — TVA au taux de ${percent(rate)}`,
      paymentTerms,
      latePayment,
      ...(corrected ? { correction: `Avoir sur la facture ${corrected.number} du ${frDate(corrected.issueDate)}.` } : {}),
    },
  };
}

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

/**
 * The VAT is computed on the document's total at its rate (splitVat), then the amount excluding VAT is shared among
 * the lines: each line gets its own split, and the cents by which their sum misses the total go one by one to the
 * largest lines, so that the lines add up to the total exactly (EN 16931 BR-CO-10, BR-S-08).
 */
function allocate(totalExclVat: number, inclVat: readonly number[], rate: number): number[] {
  const exclVat = inclVat.map((c) => splitVat(c, rate).exclVatCents);
  let gap = totalExclVat - sum(exclVat);
  const byAmount = inclVat.map((c, i) => [c, i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0; gap !== 0; k = (k + 1) % byAmount.length) {
    const i = byAmount[k][1];
    const step = Math.sign(gap);
    if (exclVat[i] + step >= 0 && exclVat[i] + step <= inclVat[i]) {
      exclVat[i] += step;
      gap -= step;
    }
  }
  return exclVat;
}

/** « 2026-11-26 » → « 26/11/2026 ». */
export const frDate = (day: string): string => `${day.slice(8, 10)}/${day.slice(5, 7)}/${day.slice(0, 4)}`;
