/**
 * Rétractation (Code de la consommation L221-18 to L221-25): within the period (src/shared/policy.ts
 * `withdrawalDeadlineOf`) the client withdraws — from the portal, or by email or letter, which the provider records
 * with the date the statement was received (L221-21). The period and the started-session rule are judged on that
 * date. Before any session has begun the refund is in full; after, the pack's WITHDRAWAL_AFTER_START decides: refused
 * (the CGV as written) or the hours not consumed refunded (`prorata`, L221-25). The sessions still ahead are cancelled
 * (their invites too), the pack is closed, and a refund owed by transfer is due 14 days after the statement (L221-24).
 */
import type { WithdrawalRefund } from '../../shared/pack';
import { frenchDate, frenchDateTime } from '../../shared/format';
import {
  refundDueOf,
  withdrawalEligibility,
  withdrawalRefundCents,
  type ConsumptionBooking,
  type WithdrawalEligibility,
} from '../../shared/policy';
import { bumpInvite, slotFor } from './booking';
import { isKept, type PackCore } from './core';
import { bookingData, toClient, toProvider } from './effects';
import { PackRuleError } from './errors';
import { toIso, toMs } from './instants';
import { refundOf } from './payments';
import { providerRefundedCents, refundedFrom } from './provider-refunds';

/** How far ahead of the workflow's clock a received date may be (the gateway's and the worker's clocks differ a little). */
const CLOCK_SKEW_MS = 5 * 60_000;

/** The pack's sessions as the withdrawal's hour accounting reads them (a late cancellation billed when it was made). */
function consumption(pack: PackCore): ConsumptionBooking[] {
  return pack.data.bookings.map((b) => {
    const billed = b.status === 'LATE_CANCELLED' ? [...b.history].reverse().find((h) => h.status === 'LATE_CANCELLED') : undefined;
    return {
      status: b.status,
      startMs: toMs(b.start),
      hours: b.hours,
      penaltyWaived: b.penaltyWaived,
      ...(billed ? { billedAtMs: toMs(billed.at) } : {}),
    };
  });
}

/** The withdrawal right as it stood at `atMs` (now, or when the client's statement was received), in the pack's state now. */
export function withdrawalAt(pack: PackCore, atMs: number): WithdrawalEligibility {
  return withdrawalEligibility({
    untilMs: pack.withdrawalDeadline(),
    status: pack.data.status,
    orderedAtMs: pack.input.orderedAtMs,
    nowMs: atMs,
    bookings: consumption(pack),
    settings: pack.settings,
    totalHours: pack.input.totalHours,
  });
}

/**
 * The instant a withdrawal recorded by the provider was received: an ISO instant with its offset, not before the
 * order, not in the future (a few minutes of clock difference are taken as now).
 */
export function receivedAtOf(pack: PackCore, value: unknown, nowMs: number): number {
  const ms =
    typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(value) ? toMs(value) : NaN;
  if (Number.isNaN(ms))
    throw new PackRuleError(
      'VALIDATION_FAILED',
      'La date de réception doit être une date ISO 8601 avec fuseau (ex. 2027-01-18T09:30:00+01:00).',
    );
  if (ms > nowMs + CLOCK_SKEW_MS) throw new PackRuleError('VALIDATION_FAILED', 'La date de réception ne peut pas être dans le futur.');
  if (ms < pack.input.orderedAtMs) throw new PackRuleError('VALIDATION_FAILED', 'La date de réception ne peut pas précéder la commande.');
  return Math.min(ms, nowMs);
}

/** Refuses a withdrawal that the rules do not allow at `receivedAtMs`, saying why in French. */
export function checkWithdraw(pack: PackCore, nowMs: number, receivedAtMs: number = nowMs): WithdrawalEligibility {
  const e = withdrawalAt(pack, receivedAtMs);
  if (e.allowed) return e;
  const zone = pack.settings.timezone;
  const when = receivedAtMs < nowMs ? ` à la réception de la demande (${frenchDateTime(receivedAtMs, zone)})` : '';
  switch (e.reason) {
    case 'PERIOD_OVER':
      throw new PackRuleError(
        'WITHDRAWAL_NOT_ALLOWED',
        `Le délai de rétractation était écoulé${when} : il courait jusqu'au ${frenchDate(toMs(e.until) - 1, zone)} inclus.`,
      );
    case 'SESSION_STARTED':
      throw new PackRuleError(
        'WITHDRAWAL_NOT_ALLOWED',
        e.consumedHours !== undefined
          ? `Toutes les heures du pack étaient déjà consommées${when} : la prestation est entièrement exécutée, le droit de rétractation ne s'applique plus (Code de la consommation, art. L221-28 1°).`
          : `Une séance avait déjà commencé${when} : selon les CGV, la rétractation n'est plus possible dès qu'une séance a débuté.`,
      );
    default:
      throw new PackRuleError('WITHDRAWAL_NOT_ALLOWED', 'Ce pack est clos : une rétractation ne peut plus y être enregistrée.');
  }
}

/**
 * Rétractation: future sessions cancelled, the pack closed, every cent kept for it refunded but the consumed hours
 * (`prorata` only; none before a session began), each payment by its own method. `receivedAtMs`: when the client's
 * statement was received, when the provider records it (now otherwise).
 */
export function withdraw(
  pack: PackCore,
  nowMs: number,
  o: { receivedAtMs?: number; recordedBy?: 'provider' } = {},
): { status: 'WITHDRAWN'; refund: WithdrawalRefund } {
  const receivedAtMs = o.receivedAtMs ?? nowMs;
  const eligibility = checkWithdraw(pack, nowMs, receivedAtMs);
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
  const consumedHours = eligibility.consumedHours ?? 0;
  // What the provider already gave back (a gesture, a surplus) is not refunded twice.
  const keptCents = pack.data.paidCents - providerRefundedCents(pack);
  const amountCents = withdrawalRefundCents({
    priceCents: pack.input.priceCents,
    totalHours: pack.input.totalHours,
    keptCents,
    consumedHours,
  });
  const { dueAtMs } = refundDueOf(receivedAtMs, pack.settings);
  let method = pack.input.paymentMethod;
  // What is kept for the consumed hours comes out of the first payments; the rest of each is refunded.
  let kept = keptCents - amountCents;
  for (const p of pack.data.payments) {
    // Only the money kept for the pack: what was already refunded or flagged is not refunded twice.
    if (!isKept(p)) continue;
    method = p.method;
    const available = p.amountCents - refundedFrom(pack, p.idempotencyKey);
    const keep = Math.min(kept, available);
    kept -= keep;
    if (available - keep > 0) pack.effects.refund(refundOf(p, 'withdrawal', 'WITHDRAWAL', dueAtMs, available - keep));
  }
  const byTransfer = method === 'bank_transfer' && amountCents > 0;
  const refund: WithdrawalRefund = {
    method,
    amountCents,
    ...(byTransfer ? { dueAt: toIso(dueAtMs) } : {}),
    ...(consumedHours > 0 ? { consumedHours } : {}),
  };
  pack.data.refund = refund;
  pack.setStatus('WITHDRAWN', nowMs);
  pack.effects.event(
    'WITHDRAWN',
    nowMs,
    {
      refundCents: amountCents,
      refundMethod: method,
      ...(o.recordedBy ? { receivedAt: toIso(receivedAtMs), recordedBy: o.recordedBy } : {}),
      ...(consumedHours > 0 ? { consumedHours, hourlyCents: Math.floor(pack.input.priceCents / pack.input.totalHours) } : {}),
      ...(byTransfer ? { refundDueAt: toIso(dueAtMs) } : {}),
    },
    [toClient('WITHDRAWN'), toProvider('PROVIDER_WITHDRAWN')],
  );
  return { status: 'WITHDRAWN', refund };
}
