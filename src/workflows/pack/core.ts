/**
 * One pack's state and the few primitives every rule module shares: the JSON carried across continue-as-new, the
 * hours ledger, the queue of effects, a booking's history, the one-shot timers already handled. No rule lives here:
 * each concern has its module (booking, attendance, hours, payments, withdrawal, timers), and ./model.ts is the
 * façade the workflow uses. No Temporal, no I/O, no clock: every change takes `nowMs`.
 */
import type { Actor, BookingView, PackInput, PaymentView, ProviderRefundReason, WithdrawalRefund } from '../../shared/pack';
import { FINAL_STATUSES, sessionDurationMs, withdrawalDeadlineOf, type Hours, type PackStatus } from '../../shared/policy';
import { EffectQueue } from './effects';
import { PackRuleError } from './errors';
import { HourLedger } from './hours';
import { toIso } from './instants';

/** The JSON carried across continue-as-new. */
export interface PackData {
  status: PackStatus;
  paidAtMs: number | null;
  expiresAtMs: number | null;
  paidCents: number;
  payments: PaymentView[];
  bookings: BookingView[];
  lostAtExpiry: number;
  refund: WithdrawalRefund | null;
  /**
   * Refunds the provider owes by bank transfer, with their due dates (L221-24), reminded before they are due until
   * marked paid. Absent in the data of packs from before due dates.
   */
  refundsDue?: RefundDue[];
  /**
   * The pack's invoice (issue 14): its key from the moment it is asked for, its number once issued. Absent in the data
   * of packs from before invoices, until they get theirs (./documents.ts).
   */
  invoice?: { key: string; number: string | null };
  /** What credit notes have taken off the invoice so far (absent: nothing). */
  creditedCents?: number;
  /** Refunds the provider decided (./provider-refunds.ts); absent in the data of packs from before them. */
  providerRefunds?: ProviderRefund[];
  /** When the status became final (CANCELLED_UNPAID, WITHDRAWN, EXPIRED) or the hours ran out (USED_UP). */
  endedAtMs: number | null;
  /** Keys of the one-shot timers already handled (reminders, warnings, session starts). */
  fired: string[];
  seq: number;
}

export function initialData(): PackData {
  return {
    status: 'AWAITING_PAYMENT',
    paidAtMs: null,
    expiresAtMs: null,
    paidCents: 0,
    payments: [],
    bookings: [],
    lostAtExpiry: 0,
    refund: null,
    endedAtMs: null,
    fired: [],
    seq: 0,
  };
}

/** A payment whose money the pack kept (not refunded or flagged on arrival). */
export function isKept(p: PaymentView): boolean {
  return p.outcome === 'ACCEPTED' || p.outcome === 'PARTIAL' || p.outcome === 'SURPLUS';
}

/** A refund the provider decided: how much, why, and from which payments (by their idempotency keys). */
export interface ProviderRefund {
  n: number;
  reason: ProviderRefundReason;
  amountCents: number;
  atMs: number;
  note?: string;
  from: Array<{ payment: string; amountCents: number }>;
}

/** A refund owed by bank transfer (a provider task), as the pack keeps it. */
export interface RefundDue {
  key: string;
  amountCents: number;
  reason: string;
  dueAtMs: number;
  remindAtMs: number;
  paidAtMs: number | null;
}

/**
 * Asks whether a change of behaviour applies to this pack: Temporal's `patched()` in the workflow (a pack already
 * running keeps its recorded path on replay), always true in the pure tests.
 */
export type PatchGate = (change: string) => boolean;

export type HistoryStatus = BookingView['history'][number]['status'];

export class PackCore {
  readonly effects: EffectQueue;
  readonly ledger: HourLedger;

  constructor(
    readonly input: PackInput,
    readonly data: PackData,
    readonly patched: PatchGate = () => true,
  ) {
    this.effects = new EffectQueue(data);
    this.ledger = new HourLedger(input, data);
  }

  get settings() {
    return this.input.settings;
  }

  /** Wall-clock length of one session: its hours plus, for the day pack, the break. */
  get sessionMs(): number {
    return sessionDurationMs(this.input);
  }

  hours(): Hours {
    return this.ledger.hours();
  }

  booking(id: string): BookingView {
    const b = this.data.bookings.find((x) => x.id === id);
    if (!b) throw new PackRuleError('BOOKING_NOT_FOUND');
    return b;
  }

  setStatus(status: PackStatus, nowMs: number): void {
    this.data.status = status;
    if (FINAL_STATUSES.includes(status)) this.data.endedAtMs = nowMs;
  }

  /** Over for good: nothing can change it any more (a USED_UP pack can still have a penalty waived). */
  isFinal(): boolean {
    return FINAL_STATUSES.includes(this.data.status) && this.data.status !== 'USED_UP';
  }

  addHistory(b: BookingView, status: HistoryStatus, by: Actor, nowMs: number, note?: string): void {
    b.history.push({ at: toIso(nowMs), status, by, ...(note ? { note } : {}) });
  }

  hasFired(key: string): boolean {
    return this.data.fired.includes(key);
  }

  markFired(key: string): void {
    if (!this.data.fired.includes(key)) this.data.fired.push(key);
  }

  private withdrawalDeadlineMs?: number;
  /**
   * The end of the withdrawal period depends only on the order: computed once per run. Every activation asks for it
   * (the timers, the snapshot), and the holiday calendar behind it was the workflow's largest cost (benchmark profile).
   */
  withdrawalDeadline(): number {
    return (this.withdrawalDeadlineMs ??= withdrawalDeadlineOf(this.input.orderedAtMs, this.settings));
  }
}
