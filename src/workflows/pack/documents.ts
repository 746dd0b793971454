/**
 * Invoices and credit notes (issue 14, point 1): the pack asks for each document once, from the business event that
 * calls for it, and the activity issues it once per key (src/activities/documents.ts):
 * - an invoice when the pack is paid in full (by card or transfer; a part-payment calls for nothing until the rest
 *   arrives), key `invoice:<pack>`, asked before the payment's confirmation so that its email can carry it;
 * - a credit note for every refund of invoiced money — a withdrawal's, in full or for the hours not consumed —
 *   referring to the pack's invoice, key `credit:<refund key>`. Money no invoice covers (a second payment of a paid
 *   pack, a payment after the order closed, the part-payment of an order cancelled unpaid) is refunded without a
 *   credit note: a credit note reduces an invoice, and such money was never invoiced.
 * A pack paid before invoices existed gets its invoice once, the first time it wakes under this code.
 */
import { isKept, type PackCore } from './core';
import { toClient, type DocumentEffect, type RefundEffect } from './effects';
import { toIso } from './instants';

/** Since invoices: a payment in full asks for the pack's invoice. Packs whose history took it without one replay so. */
export const ISSUE_DOCUMENTS = 'issue-documents';
/** Since invoices: a pack paid before them gets its invoice when it next wakes (history markers tell which did). */
export const INVOICE_PAID_PACKS = 'invoice-paid-packs';

export const invoiceKey = (packId: string) => `invoice:${packId}`;
export const creditNoteKey = (refundKey: string) => `credit:${refundKey}`;

/** The payments the invoice acknowledges: every one kept for the pack (a part-payment, then the rest). */
function invoiceRequest(pack: PackCore, paidAtMs: number): DocumentEffect['request'] {
  const payments = pack.data.payments.filter(isKept);
  const last = payments[payments.length - 1];
  return {
    key: invoiceKey(pack.input.packId),
    kind: 'invoice',
    paidAtMs,
    method: last?.method ?? pack.input.paymentMethod,
    ...(payments.length ? { reference: payments.map((p) => p.reference).join(', ') } : {}),
    amountCents: pack.input.priceCents,
  };
}

/**
 * The pack is paid in full at `paidAtMs`: its invoice is asked for, ahead of the confirmation. Returns the invoice's
 * key for the confirmation's email to attach, or undefined on the path of packs from before invoices.
 */
export function invoiceOnPayment(pack: PackCore, paidAtMs: number): string | undefined {
  if (pack.data.invoice || !pack.patched(ISSUE_DOCUMENTS)) return undefined;
  const request = invoiceRequest(pack, paidAtMs);
  pack.data.invoice = { key: request.key, number: null };
  pack.effects.document(request, false);
  return request.key;
}

/**
 * A pack paid before invoices existed, sold and not withdrawn, gets its invoice (and its own email) once. Asked at
 * every activation, before the activation's change: the marker is written by the first one under this code, and on
 * replay only from that activation on. A withdrawn pack of that time keeps what it had: its sale was undone before.
 */
export function invoiceIfMissing(pack: PackCore): void {
  const d = pack.data;
  if (d.invoice || d.paidAtMs === null) return;
  if (d.status !== 'ACTIVE' && d.status !== 'USED_UP' && d.status !== 'EXPIRED') return;
  if (!pack.patched(INVOICE_PAID_PACKS)) return;
  const request = invoiceRequest(pack, d.paidAtMs);
  d.invoice = { key: request.key, number: null };
  pack.effects.document(request, true);
}

/** The refunds that give back invoiced money: a withdrawal's, and a commercial gesture on the price. */
const CREDITED_REASONS = new Set(['WITHDRAWAL', 'GOODWILL']);

/**
 * A refund was made or handed to the provider: invoiced money given back gets its credit note, for the part of the
 * refund the invoice covers — never more than the invoice still holds (a withdrawal also gives back a surplus that no
 * invoice covers).
 */
export function creditNoteOnRefund(
  pack: PackCore,
  r: RefundEffect,
  outcome: { status: 'REFUNDED' | 'PROVIDER_TASK'; stripeRefundId?: string },
  nowMs: number,
): void {
  const invoice = pack.data.invoice;
  if (!invoice || !CREDITED_REASONS.has(r.reason)) return;
  const credited = pack.data.creditedCents ?? 0;
  const amountCents = Math.min(r.amountCents, pack.input.priceCents - credited);
  if (amountCents <= 0) return;
  pack.data.creditedCents = credited + amountCents;
  const consumed = r.reason === 'WITHDRAWAL' ? (pack.data.refund?.consumedHours ?? 0) : 0;
  const reason =
    r.reason === 'GOODWILL'
      ? 'Geste commercial'
      : consumed > 0
        ? 'Rétractation du client : heures non consommées remboursées'
        : 'Rétractation du client';
  pack.effects.document(
    {
      key: creditNoteKey(r.key),
      kind: 'credit_note',
      paidAtMs: nowMs,
      method: r.method,
      reference: outcome.stripeRefundId ?? r.reference,
      amountCents,
      corrects: invoice.key,
      reason,
      ...(outcome.status === 'PROVIDER_TASK' && r.dueAtMs !== undefined ? { refundDueAtMs: r.dueAtMs } : {}),
      ...(consumed > 0 ? { hours: pack.input.totalHours - consumed } : {}),
    },
    true,
  );
}

/** The document is issued: on the timeline (with its own email when it has one), and the invoice's number kept. */
export function documentIssued(
  pack: PackCore,
  e: DocumentEffect,
  issued: { number: string; issuedAt: string; totalCents: number },
  nowMs: number,
): void {
  const r = e.request;
  if (r.kind === 'invoice' && pack.data.invoice?.key === r.key) pack.data.invoice.number = issued.number;
  pack.effects.event(
    r.kind === 'invoice' ? 'INVOICE_ISSUED' : 'CREDIT_NOTE_ISSUED',
    nowMs,
    {
      key: r.key,
      kind: r.kind,
      number: issued.number,
      issuedAt: issued.issuedAt,
      totalCents: issued.totalCents,
      ...(r.kind === 'credit_note' && pack.data.invoice?.number ? { corrects: pack.data.invoice.number } : {}),
      ...(r.refundDueAtMs !== undefined ? { refundDueAt: toIso(r.refundDueAtMs) } : {}),
    },
    e.notify ? [toClient('DOCUMENT_ISSUED')] : [],
  );
}
