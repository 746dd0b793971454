/**
 * Refunds, once carried out: by Stripe (on the timeline), or handed to the provider as a task — a bank transfer to
 * make, or a card refund Stripe refused. Such a task is due 14 days after the refund was owed (L221-24 for a
 * withdrawal: src/shared/policy.ts `refundDueOf`); the pack keeps it, reminds the provider by email 3 days before it
 * is due, once, unless the provider has marked it paid (the dashboard, `POST /api/admin/refunds/:key/paid`), and stays
 * open until that reminder is past.
 */
import type { RefundDueView } from '../../shared/pack';
import { refundReminderAt } from '../../shared/policy';
import type { PackCore, RefundDue } from './core';
import { creditNoteOnRefund } from './documents';
import { toProvider, type RefundEffect } from './effects';
import { toIso } from './instants';

/**
 * Since refunds have due dates: a refund that becomes a provider task is kept with its due date and reminded. Packs
 * whose history recorded such a task without it replay as they ran.
 */
export const REFUND_REMINDERS = 'refund-reminders';

const reminderKey = (r: Pick<RefundDue, 'key'>) => `refund-reminder:${r.key}`;

/** A refund was carried out (Stripe) or handed to the provider (bank transfer): it goes on the timeline. */
export function refundRecorded(
  pack: PackCore,
  r: RefundEffect,
  outcome: { status: 'REFUNDED' | 'PROVIDER_TASK'; stripeRefundId?: string },
  nowMs: number,
): void {
  const data = {
    key: r.key,
    method: r.method,
    amountCents: r.amountCents,
    reason: r.reason,
    stripeRefundId: outcome.stripeRefundId ?? null,
  };
  if (outcome.status === 'REFUNDED') {
    pack.effects.event('REFUND_ISSUED', nowMs, data);
  } else {
    const due = r.dueAtMs !== undefined && pack.patched(REFUND_REMINDERS) ? owe(pack, r, r.dueAtMs) : undefined;
    pack.effects.event('REFUND_TASK_CREATED', nowMs, { ...data, ...(due ? { dueAt: toIso(due.dueAtMs) } : {}) }, [
      toProvider('PROVIDER_REFUND_TASK'),
    ]);
  }
  creditNoteOnRefund(pack, r, outcome, nowMs);
}

/** Keeps a refund owed by the provider, once per key. */
function owe(pack: PackCore, r: RefundEffect, dueAtMs: number): RefundDue {
  const list = (pack.data.refundsDue ??= []);
  const known = list.find((x) => x.key === r.key);
  if (known) return known;
  const remindAtMs = refundReminderAt(dueAtMs, pack.settings);
  const due: RefundDue = { key: r.key, amountCents: r.amountCents, reason: r.reason, dueAtMs, remindAtMs, paidAtMs: null };
  list.push(due);
  return due;
}

/** The reminder timers of the refunds still owed. */
export function refundReminders(pack: PackCore): Array<{ atMs: number; key: string }> {
  return (pack.data.refundsDue ?? []).filter((r) => r.paidAtMs === null).map((r) => ({ atMs: r.remindAtMs, key: reminderKey(r) }));
}

/** The refund a reminder timer is about. */
export const refundKeyOf = (timerKey: string): string => timerKey.slice('refund-reminder:'.length);

/** Three days before a refund is due, the provider is reminded of it (once: the timer's key is then fired). */
export function remindOfRefund(pack: PackCore, key: string, nowMs: number): void {
  const r = (pack.data.refundsDue ?? []).find((x) => x.key === key);
  if (!r || r.paidAtMs !== null) return;
  pack.effects.event('REFUND_REMINDER', nowMs, { key: r.key, amountCents: r.amountCents, reason: r.reason, dueAt: toIso(r.dueAtMs) }, [
    toProvider('PROVIDER_REFUND_REMINDER'),
  ]);
}

/** The provider made the transfer: no reminder for it any more. Unknown or already paid refunds change nothing. */
export function refundPaid(pack: PackCore, key: string, nowMs: number): boolean {
  const r = (pack.data.refundsDue ?? []).find((x) => x.key === key);
  if (!r || r.paidAtMs !== null) return false;
  r.paidAtMs = nowMs;
  pack.effects.event('REFUND_PAID', nowMs, { key: r.key, amountCents: r.amountCents, reason: r.reason, dueAt: toIso(r.dueAtMs) });
  return true;
}

export function refundsDueView(pack: PackCore): RefundDueView[] {
  return (pack.data.refundsDue ?? []).map((r) => ({
    key: r.key,
    amountCents: r.amountCents,
    reason: r.reason,
    dueAt: toIso(r.dueAtMs),
    remindAt: toIso(r.remindAtMs),
    paidAt: r.paidAtMs === null ? null : toIso(r.paidAtMs),
  }));
}
