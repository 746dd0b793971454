/**
 * Money the provider gives back of their own accord, on a pack that stays sold:
 * - a commercial gesture (`GOODWILL`): part or all of the price, which reduces the sale — its credit note corrects the
 *   pack's invoice (./documents.ts), never by more than the invoice still holds;
 * - a surplus (`SURPLUS`): money received beyond the price (a transfer of too much), which no invoice covers — refunded
 *   without a credit note, never more than the surplus left.
 * Each is carried out like any refund (Stripe on a card payment, a transfer owed within 14 days otherwise), from the
 * latest payments first, and counts in what a later withdrawal refunds.
 */
import type { PaymentView, ProviderRefundReason } from '../../shared/pack';
import { refundDueOf } from '../../shared/policy';
import { isKept, type PackCore, type ProviderRefund } from './core';
import { toClient } from './effects';
import { PackRuleError } from './errors';
import { refundOf } from './payments';

/** What the provider asks: an amount in cents, why, and a note the client reads (optional). */
export interface ProviderRefundRequest {
  amountCents: number;
  reason: ProviderRefundReason;
  note?: string;
}

const refundsOf = (pack: PackCore): ProviderRefund[] => pack.data.providerRefunds ?? [];

/** How much of a payment the provider has already given back. */
export function refundedFrom(pack: PackCore, paymentKey: string): number {
  return refundsOf(pack)
    .flatMap((r) => r.from)
    .filter((f) => f.payment === paymentKey)
    .reduce((sum, f) => sum + f.amountCents, 0);
}

/** Everything the provider has given back of the pack's money. */
export const providerRefundedCents = (pack: PackCore): number => refundsOf(pack).reduce((sum, r) => sum + r.amountCents, 0);

const granted = (pack: PackCore, reason: ProviderRefundReason) =>
  refundsOf(pack)
    .filter((r) => r.reason === reason)
    .reduce((sum, r) => sum + r.amountCents, 0);

/** Money received beyond the price and not given back yet. */
export const surplusLeftCents = (pack: PackCore): number =>
  Math.max(0, pack.data.paidCents - pack.input.priceCents - granted(pack, 'SURPLUS'));

/** Of the price, what a commercial gesture may still give back. */
export const goodwillLeftCents = (pack: PackCore): number => Math.max(0, pack.input.priceCents - granted(pack, 'GOODWILL'));

/** The validator: a paid pack that is still sold (not withdrawn), an amount it can give back. */
export function checkProviderRefund(pack: PackCore, a: unknown): ProviderRefundRequest {
  const r = a as Partial<ProviderRefundRequest> | null;
  if (!r || (r.reason !== 'GOODWILL' && r.reason !== 'SURPLUS'))
    throw new PackRuleError('VALIDATION_FAILED', 'Motif du remboursement : geste commercial ou trop-perçu.');
  if (!Number.isInteger(r.amountCents) || (r.amountCents ?? 0) <= 0)
    throw new PackRuleError('VALIDATION_FAILED', 'Le montant à rembourser doit être positif, en centimes.');
  if (r.note !== undefined && (typeof r.note !== 'string' || r.note.length > 300 || /[\r\n<>]/.test(r.note)))
    throw new PackRuleError('VALIDATION_FAILED', 'La note au client : 300 caractères au plus, sur une ligne.');
  const d = pack.data;
  if (d.paidAtMs === null || d.status === 'WITHDRAWN' || d.status === 'CANCELLED_UNPAID')
    throw new PackRuleError('PACK_NOT_ACTIVE', 'Ce pack n’est pas payé, ou a déjà été remboursé par une rétractation.');
  const left = r.reason === 'SURPLUS' ? surplusLeftCents(pack) : goodwillLeftCents(pack);
  if (r.amountCents! > left)
    throw new PackRuleError(
      'VALIDATION_FAILED',
      r.reason === 'SURPLUS'
        ? `Le trop-perçu restant à rembourser est de ${(left / 100).toFixed(2).replace('.', ',')} €.`
        : `Un geste commercial peut rembourser au plus ${(left / 100).toFixed(2).replace('.', ',')} € (le prix du pack, moins les gestes déjà faits).`,
    );
  return { amountCents: r.amountCents!, reason: r.reason, ...(r.note ? { note: r.note } : {}) };
}

/**
 * The refund is decided: taken from the latest payments first (each refunded by its own method), on the timeline with
 * the client's email, carried out by the effects lane; a gesture's credit note follows each refund made.
 */
export function grantRefund(
  pack: PackCore,
  a: unknown,
  nowMs: number,
): { refund: { reason: ProviderRefundReason; amountCents: number; method: PaymentView['method'] } } {
  const req = checkProviderRefund(pack, a);
  const list = (pack.data.providerRefunds ??= []);
  const n = list.length + 1;
  const { dueAtMs } = refundDueOf(nowMs, pack.settings);
  let left = req.amountCents;
  const from: ProviderRefund['from'] = [];
  let method: PaymentView['method'] = pack.input.paymentMethod;
  for (const p of [...pack.data.payments].reverse()) {
    if (left === 0) break;
    if (!isKept(p)) continue;
    const take = Math.min(left, p.amountCents - refundedFrom(pack, p.idempotencyKey));
    if (take <= 0) continue;
    left -= take;
    method = p.method;
    from.push({ payment: p.idempotencyKey, amountCents: take });
    pack.effects.refund(refundOf(p, `${req.reason === 'SURPLUS' ? 'surplus' : 'goodwill'}:${n}`, req.reason, dueAtMs, take));
  }
  list.push({ n, reason: req.reason, amountCents: req.amountCents, atMs: nowMs, from, ...(req.note ? { note: req.note } : {}) });
  pack.effects.event(
    'REFUND_GRANTED',
    nowMs,
    { n, reason: req.reason, amountCents: req.amountCents, refundMethod: method, ...(req.note ? { note: req.note } : {}) },
    [toClient('REFUND_GRANTED')],
  );
  return { refund: { reason: req.reason, amountCents: req.amountCents, method } };
}
