/**
 * The order and its payment: « Le paiement est exigé au moment de la commande ». A pack is ACTIVE once its price is
 * received, valid from the day the money arrived for the validity period (src/shared/policy.ts `expiryOf`); an unpaid
 * order is reminded and then cancelled at its deadline. The deadline is judged on the payment's own date (a bank
 * transfer as the bank dates it): money that arrived in time but was entered after the cancellation revives the order
 * while its workflow is still open. Money is never kept silently: a payment for a closed or already-paid order is
 * refunded (card) or handed to the provider (bank transfer), too little waits for the rest and the provider is told.
 */
import type { PaymentSignal, PaymentView } from '../../shared/pack';
import { expiryOf, paymentDeadlineOf, refundDueOf } from '../../shared/policy';
import type { PackCore } from './core';
import { invoiceOnPayment } from './documents';
import { toClient, toProvider, type RefundEffect } from './effects';
import { toIso, toMs } from './instants';

/**
 * Since payments are dated as the bank dates them: an order cancelled unpaid is revived by a payment of its price
 * dated before its deadline. Packs whose history took such a payment as a late one (refunded) replay as they ran.
 */
export const REVIVE_DATED_PAYMENT = 'revive-dated-payment';

export function orderPlaced(pack: PackCore, nowMs: number): void {
  const { deadline } = paymentDeadlineOf(pack.input.orderedAtMs, pack.settings);
  pack.effects.event(
    'ORDER_PLACED',
    nowMs,
    {
      paymentMethod: pack.input.paymentMethod,
      amountCents: pack.input.priceCents,
      paymentDeadline: toIso(deadline),
      // What the contract documents of the first email state (the withdrawal information, its last day).
      withdrawalAfterStart: pack.settings.withdrawalAfterStart ?? 'refused',
      withdrawalEndsAt: toIso(pack.withdrawalDeadline()),
    },
    [toClient('ORDER_RECEIVED'), toProvider('PROVIDER_ORDER_RECEIVED')],
  );
}

/** What a payment signal must hold to be considered at all (a malformed one is logged and ignored). */
export function isValidPaymentSignal(p: PaymentSignal): boolean {
  return (
    !!p &&
    (p.method === 'card' || p.method === 'bank_transfer') &&
    Number.isInteger(p.amountCents) &&
    p.amountCents > 0 &&
    typeof p.reference === 'string' &&
    typeof p.idempotencyKey === 'string' &&
    p.idempotencyKey.length > 0
  );
}

/**
 * A payment arrived. The same payment twice (same idempotency key) is ignored. Its date is when the money was
 * received, never later than now: it starts the validity, and it is judged against the payment deadline.
 */
export function paymentReceived(pack: PackCore, p: PaymentSignal, nowMs: number): void {
  const d = pack.data;
  if (d.payments.some((x) => x.idempotencyKey === p.idempotencyKey)) return;
  const paidAtMs = Math.min(Number.isNaN(toMs(p.paidAt)) ? nowMs : toMs(p.paidAt), nowMs);
  const view: PaymentView = { ...p, paidAt: toIso(paidAtMs), outcome: 'ACCEPTED' };
  d.payments.push(view);

  const revived = revives(pack, p, paidAtMs);
  if (revived) {
    // The money arrived in time; only its entry came late. A partial payment received before the cancellation was
    // handed back then: the order starts again from this payment.
    d.status = 'AWAITING_PAYMENT';
    d.endedAtMs = null;
    d.paidCents = 0;
    const { deadline } = paymentDeadlineOf(pack.input.orderedAtMs, pack.settings);
    pack.effects.event('ORDER_REVIVED', nowMs, { ...details(p), paidAt: toIso(paidAtMs), paymentDeadline: toIso(deadline) });
  }
  if (d.status !== 'AWAITING_PAYMENT') {
    refundUnexpected(pack, view, nowMs);
    return;
  }
  const received = d.paidCents + p.amountCents;
  const mismatch = { ...details(p), receivedCents: received, expectedCents: pack.input.priceCents };
  if (received < pack.input.priceCents) {
    // Too little is recorded and the provider told, never accepted as payment of the pack.
    view.outcome = 'PARTIAL';
    d.paidCents = received;
    pack.effects.event('PAYMENT_INCOMPLETE', nowMs, mismatch, [toProvider('PROVIDER_PAYMENT_MISMATCH')]);
    return;
  }
  d.paidCents = received;
  d.paidAtMs = paidAtMs;
  d.expiresAtMs = expiryOf(paidAtMs, pack.settings);
  pack.setStatus('ACTIVE', nowMs);
  // Paid in full: the invoice is issued first, so the confirmation's email carries it.
  const invoiceKey = invoiceOnPayment(pack, paidAtMs);
  pack.effects.event(
    'PAYMENT_CONFIRMED',
    nowMs,
    {
      ...details(p),
      paidAt: toIso(paidAtMs),
      expiresAt: toIso(d.expiresAtMs),
      ...(revived ? { revived: true } : {}),
      ...(invoiceKey ? { invoiceKey } : {}),
    },
    [toClient('PAYMENT_CONFIRMED'), toProvider('PROVIDER_PAYMENT_CONFIRMED')],
  );
  if (received > pack.input.priceCents) {
    // The pack is paid; the provider decides what to do with the surplus.
    view.outcome = 'SURPLUS';
    pack.effects.event('PAYMENT_SURPLUS', nowMs, mismatch, [toProvider('PROVIDER_PAYMENT_MISMATCH')]);
  }
}

/**
 * Whether a payment revives an order cancelled for non-payment: it pays the price on its own and is dated before the
 * deadline. (The workflow is still open, since it received it: a cancelled order listens for CLOSED_ORDER_LINGER.)
 * The marker is asked only when all of that holds, where older packs refunded such a payment.
 */
function revives(pack: PackCore, p: PaymentSignal, paidAtMs: number): boolean {
  if (pack.data.status !== 'CANCELLED_UNPAID' || p.amountCents < pack.input.priceCents) return false;
  if (paidAtMs >= paymentDeadlineOf(pack.input.orderedAtMs, pack.settings).deadline) return false;
  return pack.patched(REVIVE_DATED_PAYMENT);
}

/**
 * Money for an order that is closed (deadline passed, withdrawn…) or already paid. Card: refunded through Stripe.
 * Transfer: a refund task for the provider, who holds the client's bank details.
 */
function refundUnexpected(pack: PackCore, view: PaymentView, nowMs: number): void {
  view.outcome = view.method === 'card' ? 'REFUNDED' : 'FLAGGED';
  pack.effects.refund(refundOf(view, 'payment', 'UNEXPECTED_PAYMENT', refundDueOf(nowMs, pack.settings).dueAtMs));
  pack.effects.event(
    view.method === 'card' ? 'UNEXPECTED_PAYMENT_REFUNDED' : 'UNEXPECTED_PAYMENT_FLAGGED',
    nowMs,
    { ...details(view), status: pack.data.status },
    [toClient('UNEXPECTED_PAYMENT_REFUNDED'), toProvider('PROVIDER_UNEXPECTED_PAYMENT')],
  );
}

export function remindOfPayment(pack: PackCore, nowMs: number): void {
  pack.effects.event('PAYMENT_REMINDER', nowMs, {}, [toClient('PAYMENT_REMINDER')]);
}

/** The deadline passed unpaid: the order is cancelled, and a partial payment received before it is given back. */
export function cancelUnpaid(pack: PackCore, nowMs: number): void {
  const d = pack.data;
  pack.setStatus('CANCELLED_UNPAID', nowMs);
  pack.effects.event('ORDER_CANCELLED_UNPAID', nowMs, { paidCents: d.paidCents }, [
    toClient('ORDER_CANCELLED_UNPAID'),
    toProvider('PROVIDER_ORDER_CANCELLED_UNPAID'),
  ]);
  for (const p of d.payments.filter((x) => x.outcome === 'PARTIAL')) {
    p.outcome = p.method === 'card' ? 'REFUNDED' : 'FLAGGED';
    pack.effects.refund(refundOf(p, 'unpaid', 'ORDER_CANCELLED', refundDueOf(nowMs, pack.settings).dueAtMs));
  }
}

/**
 * The refund of one payment (all of it unless `amountCents` says otherwise). Its key (`<why>:<payment key>`) names
 * the business reason, so Stripe's idempotency key stays the same whatever retries or workflow runs carry it out.
 * `dueAtMs`: when it is due, should it fall to the provider (a transfer, or a card refund Stripe refuses).
 */
export function refundOf(
  p: PaymentView,
  why: string,
  reason: string,
  dueAtMs: number,
  amountCents: number = p.amountCents,
): Omit<RefundEffect, 'kind'> {
  return { key: `${why}:${p.idempotencyKey}`, method: p.method, reference: p.reference, amountCents, reason, dueAtMs };
}

function details(p: Pick<PaymentView, 'method' | 'amountCents' | 'reference'>) {
  return { method: p.method, amountCents: p.amountCents, reference: p.reference };
}
