/**
 * The timers a pack waits for, derived from its state alone: a cancelled or moved session's reminders simply are not
 * there, and a timer handled once (its key in `fired`) is not there either. What each one does when it fires is its
 * module's concern (PackModel.fireDue dispatches).
 */
import type { BookingView } from '../../shared/pack';
import { paymentDeadlineOf } from '../../shared/policy';
import type { PackCore } from './core';
import { toMs } from './instants';
import { refundReminders } from './refunds';

export type TimerKind =
  | 'WITHDRAWAL_PERIOD_END'
  | 'PAYMENT_REMINDER'
  | 'PAYMENT_DEADLINE'
  | 'REQUEST_UNANSWERED'
  | 'SESSION_REMINDER'
  | 'SESSION_START'
  | 'SESSION_END'
  | 'EXPIRY_WARNING'
  | 'EXPIRY'
  | 'REFUND_REMINDER'
  | 'CLOSE';

export interface Timer {
  atMs: number;
  kind: TimerKind;
  /** One-shot timers are keyed by what they are about: a session's are `<what>:<bookingId>:<revision>[:<lead ms>]`. */
  key: string;
}

/**
 * When the workflow may complete; null while the pack can still change. A pack that owes a refund by transfer stays
 * open until its reminder has gone out (or the refund is marked paid).
 */
export function closesAtMs(pack: PackCore): number | null {
  const closes = endOf(pack);
  if (closes === null) return null;
  const reminders = refundReminders(pack).filter((r) => !pack.hasFired(r.key));
  return reminders.reduce((at, r) => Math.max(at, r.atMs), closes);
}

function endOf(pack: PackCore): number | null {
  const d = pack.data;
  if (d.endedAtMs === null) return null;
  switch (d.status) {
    case 'CANCELLED_UNPAID':
    case 'WITHDRAWN':
      return d.endedAtMs + pack.settings.closedLingerMs;
    case 'USED_UP':
      return Math.min(d.endedAtMs + pack.settings.usedUpGraceMs, d.expiresAtMs ?? Infinity);
    case 'EXPIRED':
      return d.endedAtMs;
    default:
      return null;
  }
}

/** Every timer the pack is waiting for, earliest first (equal instants in the order below). */
export function timersOf(pack: PackCore): Timer[] {
  const d = pack.data;
  const s = pack.settings;
  const out: Timer[] = [];
  const add = (atMs: number, kind: TimerKind, key: string) => {
    if (!pack.hasFired(key)) out.push({ atMs, kind, key });
  };
  if (d.status === 'AWAITING_PAYMENT' || d.status === 'ACTIVE') {
    // Nothing happens then, but the pack's state (and the portal's withdraw button) must change at that moment.
    add(pack.withdrawalDeadline(), 'WITHDRAWAL_PERIOD_END', 'withdrawal-period-end');
  }
  if (d.status === 'AWAITING_PAYMENT') {
    const { deadline, reminderAt } = paymentDeadlineOf(pack.input.orderedAtMs, s);
    add(reminderAt, 'PAYMENT_REMINDER', 'payment-reminder');
    add(deadline, 'PAYMENT_DEADLINE', 'payment-deadline');
  }
  if ((d.status === 'ACTIVE' || d.status === 'USED_UP') && d.expiresAtMs !== null) {
    for (const b of d.bookings) {
      const startMs = toMs(b.start);
      if (b.status === 'REQUESTED') add(startMs, 'REQUEST_UNANSWERED', `unanswered:${b.id}:${b.revision}`);
      if (b.status === 'CONFIRMED') {
        for (const before of s.sessionRemindersBeforeMs) add(startMs - before, 'SESSION_REMINDER', reminderKey(b, before));
        add(startMs, 'SESSION_START', `start:${b.id}:${b.revision}`);
        add(toMs(b.end), 'SESSION_END', `end:${b.id}:${b.revision}`);
      }
    }
    if (d.status === 'ACTIVE') {
      for (const before of s.expiryWarningsBeforeMs) add(d.expiresAtMs - before, 'EXPIRY_WARNING', `expiry-warning:${before}`);
      add(d.expiresAtMs, 'EXPIRY', 'expiry');
    }
  }
  // A refund owed by transfer is reminded 3 days before it is due, whatever the pack's status.
  for (const r of refundReminders(pack)) add(r.atMs, 'REFUND_REMINDER', r.key);
  const closes = closesAtMs(pack);
  if (closes !== null) out.push({ atMs: closes, kind: 'CLOSE', key: 'close' });
  return out.sort((a, b) => a.atMs - b.atMs);
}

function reminderKey(b: BookingView, beforeMs: number): string {
  return `remind:${b.id}:${b.revision}:${beforeMs}`;
}

/** The booking a session's timer is about. */
export function bookingIdOf(t: Timer): string {
  return t.key.split(':')[1];
}

/** How long before the session a reminder goes out. */
export function reminderLeadOf(t: Timer): number {
  return Number(t.key.split(':')[3]);
}

/** Reminders whose time has already passed when a session is (re)confirmed are not sent late. */
export function skipPastReminders(pack: PackCore, b: BookingView, nowMs: number): void {
  for (const before of pack.settings.sessionRemindersBeforeMs) {
    if (toMs(b.start) - before <= nowMs) pack.markFired(reminderKey(b, before));
  }
}
