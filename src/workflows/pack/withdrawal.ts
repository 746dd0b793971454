/**
 * Rétractation (Code de la consommation L221-18): within the period (src/shared/policy.ts `withdrawalDeadlineOf`) and
 * before any session has begun, the client withdraws and is refunded in full; the sessions still ahead are
 * cancelled (their invites too) and the pack is closed.
 */
import type { PaymentView } from '../../shared/pack';
import { withdrawalEligibility, type WithdrawalEligibility } from '../../shared/policy';
import { bumpInvite, slotFor } from './booking';
import type { PackCore } from './core';
import { bookingData, toClient, toProvider } from './effects';
import { PackRuleError } from './errors';
import { toMs } from './instants';
import { refundOf } from './payments';

export function withdrawalAt(pack: PackCore, nowMs: number): WithdrawalEligibility {
  return withdrawalEligibility({
    untilMs: pack.withdrawalDeadline(),
    status: pack.data.status,
    orderedAtMs: pack.input.orderedAtMs,
    nowMs,
    bookings: pack.data.bookings.map((b) => ({ status: b.status, startMs: toMs(b.start) })),
    settings: pack.settings,
  });
}

export function checkWithdraw(pack: PackCore, nowMs: number): void {
  if (!withdrawalAt(pack, nowMs).allowed) throw new PackRuleError('WITHDRAWAL_NOT_ALLOWED');
}

/** Rétractation: full refund of what was paid, future sessions cancelled, the pack closed. */
export function withdraw(
  pack: PackCore,
  nowMs: number,
): { status: 'WITHDRAWN'; refund: { method: PaymentView['method']; amountCents: number } } {
  checkWithdraw(pack, nowMs);
  for (const b of pack.data.bookings) {
    if (b.status === 'REQUESTED' || b.status === 'CONFIRMED') {
      b.status = 'CANCELLED';
      bumpInvite(b);
      b.revision += 1;
      pack.addHistory(b, 'CANCELLED', 'client', nowMs, 'rétractation');
      pack.effects.releaseSlot(slotFor(b.id, b.revision - 1));
      // The session leaves the client's and the provider's calendars (an iCalendar CANCEL).
      pack.effects.event('BOOKING_CANCELLED', nowMs, { ...bookingData(b), by: 'client', withdrawal: true }, [
        toClient('BOOKING_CANCELLED'),
        toProvider('PROVIDER_BOOKING_CANCELLED'),
      ]);
    }
  }
  const refund = { method: pack.input.paymentMethod, amountCents: pack.data.paidCents };
  for (const p of pack.data.payments) {
    // Only the money kept for the pack: what was already refunded or flagged is not refunded twice.
    if (p.outcome !== 'ACCEPTED' && p.outcome !== 'PARTIAL' && p.outcome !== 'SURPLUS') continue;
    refund.method = p.method;
    pack.effects.refund(refundOf(p, 'withdrawal', 'WITHDRAWAL'));
  }
  pack.data.refund = refund;
  pack.setStatus('WITHDRAWN', nowMs);
  pack.effects.event('WITHDRAWN', nowMs, { refundCents: refund.amountCents, refundMethod: refund.method }, [
    toClient('WITHDRAWN'),
    toProvider('PROVIDER_WITHDRAWN'),
  ]);
  return { status: 'WITHDRAWN', refund };
}
