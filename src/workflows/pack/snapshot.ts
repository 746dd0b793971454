/** The pack's state as the gateway, the portal and the projection read it (the `getPackState` query). */
import type { PackState } from '../../shared/pack';
import { paymentDeadlineOf } from '../../shared/policy';
import type { PackCore } from './core';
import { toIso } from './instants';
import { goodwillLeftCents, surplusLeftCents } from './provider-refunds';
import { refundsDueView } from './refunds';
import { closesAtMs, timersOf } from './timers';
import { withdrawalAt } from './withdrawal';

export function snapshotOf(pack: PackCore, nowMs: number): PackState {
  const d = pack.data;
  const { input } = pack;
  const { deadline } = paymentDeadlineOf(input.orderedAtMs, pack.settings);
  const closes = closesAtMs(pack);
  return {
    packId: input.packId,
    packCode: input.packCode,
    status: d.status,
    orderedAt: toIso(input.orderedAtMs),
    paymentMethod: input.paymentMethod,
    priceCents: input.priceCents,
    paymentDeadline: toIso(deadline),
    paidAt: d.paidAtMs === null ? null : toIso(d.paidAtMs),
    paidCents: d.paidCents,
    expiresAt: d.expiresAtMs === null ? null : toIso(d.expiresAtMs),
    hours: pack.hours(),
    lostAtExpiry: d.lostAtExpiry,
    bookings: d.bookings,
    payments: d.payments,
    withdrawal: withdrawalAt(pack, nowMs),
    refund: d.refund,
    refundsDue: refundsDueView(pack),
    refundable:
      d.paidAtMs === null || d.status === 'WITHDRAWN' || d.status === 'CANCELLED_UNPAID'
        ? { goodwillCents: 0, surplusCents: 0 }
        : { goodwillCents: goodwillLeftCents(pack), surplusCents: surplusLeftCents(pack) },
    providerRefunds: (d.providerRefunds ?? []).map((r) => ({
      n: r.n,
      reason: r.reason,
      amountCents: r.amountCents,
      at: toIso(r.atMs),
      ...(r.note ? { note: r.note } : {}),
    })),
    closedAt: closes === null ? null : toIso(closes),
    nextTimers: timersOf(pack)
      .slice(0, 10)
      .map((t) => ({ at: toIso(t.atMs), kind: t.kind })),
  };
}
