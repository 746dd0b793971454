/**
 * One pack's state and the CGV rules applied to it, as a plain deterministic class: no Temporal, no I/O, no clock
 * (every method takes `nowMs`). The workflow (./workflow.ts) feeds it messages and timers and carries out what it
 * asks for (calendar, refunds, timeline events and their emails) through activities.
 */
import type { EmailTemplate } from '../../shared/emails';
import type { Actor, BookingView, PackErrorCode, PackInput, PackState, PaymentSignal, PaymentView } from '../../shared/pack';
import { PACK_ERROR_MESSAGES } from '../../shared/pack';
import {
  FINAL_STATUSES,
  cancellationIsBilled,
  expiryOf,
  hoursOf,
  isBilledPenalty,
  paymentDeadlineOf,
  sessionDurationMs,
  withdrawalDeadlineOf,
  withdrawalEligibility,
  type Hours,
  type PackStatus,
} from '../../shared/policy';

export class PackRuleError extends Error {
  constructor(
    readonly code: PackErrorCode,
    message: string = PACK_ERROR_MESSAGES[code],
  ) {
    super(message);
    this.name = 'PackRuleError';
  }
}

export interface EmailSpec {
  template: EmailTemplate;
  to: 'client' | 'provider';
}

/** A timeline event: projected to PostgreSQL with its emails, at most once per key. */
export interface PackEvent {
  seq: number;
  key: string;
  type: string;
  atMs: number;
  data: Record<string, unknown>;
  emails: EmailSpec[];
}

/** Work the workflow must carry out, in order, through activities. */
export type Effect =
  | { kind: 'event'; event: PackEvent }
  | { kind: 'releaseSlot'; slotId: string }
  | { kind: 'refund'; key: string; method: PaymentView['method']; reference: string; amountCents: number; reason: string };

/** The JSON carried across continue-as-new. */
export interface PackData {
  status: PackStatus;
  paidAtMs: number | null;
  expiresAtMs: number | null;
  paidCents: number;
  payments: PaymentView[];
  bookings: BookingView[];
  lostAtExpiry: number;
  refund: { method: PaymentView['method']; amountCents: number } | null;
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

const ms = (iso: string) => Date.parse(iso);
const iso = (t: number) => new Date(t).toISOString();

export interface Timer {
  atMs: number;
  kind: string;
  key: string;
}

export class PackModel {
  /** Effects produced and not yet handed to the workflow. */
  private pending: Effect[] = [];
  /** Hours held by booking requests whose calendar reservation is in flight. */
  private reservingHours = 0;

  constructor(
    readonly input: PackInput,
    readonly data: PackData,
  ) {}

  takeEffects(): Effect[] {
    return this.pending.splice(0);
  }

  // ------------------------------------------------------------------------------------------- reading

  get settings() {
    return this.input.settings;
  }

  get sessionMs(): number {
    return sessionDurationMs(this.input);
  }

  hours(): Hours {
    const h = hoursOf(this.input.totalHours, this.data.bookings, this.data.lostAtExpiry);
    const reserving = Math.min(this.reservingHours, h.available);
    return { ...h, reserved: h.reserved + reserving, available: h.available - reserving };
  }

  booking(id: string): BookingView {
    const b = this.data.bookings.find((x) => x.id === id);
    if (!b) throw new PackRuleError('BOOKING_NOT_FOUND');
    return b;
  }

  /**
   * The end of the withdrawal period depends only on the order: computed once per run. Every activation asks for it
   * (the timers, the snapshot), and the holiday calendar behind it was the workflow's largest cost (benchmark profile).
   */
  private withdrawalDeadlineMs?: number;
  private withdrawalDeadline(): number {
    return (this.withdrawalDeadlineMs ??= withdrawalDeadlineOf(this.input.orderedAtMs, this.settings));
  }

  private withdrawalAt(nowMs: number) {
    return withdrawalEligibility({
      untilMs: this.withdrawalDeadline(),
      status: this.data.status,
      orderedAtMs: this.input.orderedAtMs,
      nowMs,
      bookings: this.data.bookings.map((b) => ({ status: b.status, startMs: ms(b.start) })),
      settings: this.settings,
    });
  }

  isFinal(): boolean {
    return FINAL_STATUSES.includes(this.data.status) && this.data.status !== 'USED_UP';
  }

  snapshot(nowMs: number): PackState {
    const d = this.data;
    const { deadline } = paymentDeadlineOf(this.input.orderedAtMs, this.settings);
    return {
      packId: this.input.packId,
      packCode: this.input.packCode,
      status: d.status,
      orderedAt: iso(this.input.orderedAtMs),
      paymentMethod: this.input.paymentMethod,
      priceCents: this.input.priceCents,
      paymentDeadline: iso(deadline),
      paidAt: d.paidAtMs === null ? null : iso(d.paidAtMs),
      paidCents: d.paidCents,
      expiresAt: d.expiresAtMs === null ? null : iso(d.expiresAtMs),
      hours: this.hours(),
      lostAtExpiry: d.lostAtExpiry,
      bookings: d.bookings,
      payments: d.payments,
      withdrawal: this.withdrawalAt(nowMs),
      refund: d.refund,
      closedAt: this.closesAtMs() === null ? null : iso(this.closesAtMs()!),
      nextTimers: this.timers()
        .slice(0, 10)
        .map((t) => ({ at: iso(t.atMs), kind: t.kind })),
    };
  }

  // ------------------------------------------------------------------------------------------- events

  private emit(type: string, nowMs: number, data: Record<string, unknown>, emails: EmailSpec[] = []): void {
    const seq = ++this.data.seq;
    this.pending.push({ kind: 'event', event: { seq, key: `${seq}:${type}`, type, atMs: nowMs, data, emails } });
  }

  private setStatus(status: PackStatus, nowMs: number): void {
    this.data.status = status;
    if (FINAL_STATUSES.includes(status)) this.data.endedAtMs = nowMs;
  }

  private push(b: BookingView, status: BookingView['history'][number]['status'], by: Actor, nowMs: number, note?: string): void {
    b.history.push({ at: iso(nowMs), status, by, ...(note ? { note } : {}) });
  }

  private slotId(b: BookingView): string {
    return `${b.id}:${b.revision}`;
  }

  // ------------------------------------------------------------------------------------------- order & payment

  orderPlaced(nowMs: number): void {
    const { deadline } = paymentDeadlineOf(this.input.orderedAtMs, this.settings);
    this.emit(
      'ORDER_PLACED',
      nowMs,
      { paymentMethod: this.input.paymentMethod, amountCents: this.input.priceCents, paymentDeadline: iso(deadline) },
      [
        { template: 'ORDER_RECEIVED', to: 'client' },
        { template: 'PROVIDER_ORDER_RECEIVED', to: 'provider' },
      ],
    );
  }

  /**
   * A payment arrived. The same payment twice is ignored; a payment for an order that is closed (deadline passed,
   * withdrawn) or already paid is refunded (card) or handed to the provider (transfer); too little is recorded and
   * the provider told, never accepted as payment of the pack.
   */
  paymentReceived(p: PaymentSignal, nowMs: number): void {
    if (this.data.payments.some((x) => x.idempotencyKey === p.idempotencyKey)) return;
    const paidAtMs = Math.min(Number.isNaN(ms(p.paidAt)) ? nowMs : ms(p.paidAt), nowMs);
    const view: PaymentView = { ...p, paidAt: iso(paidAtMs), outcome: 'ACCEPTED' };
    this.data.payments.push(view);
    const details = { method: p.method, amountCents: p.amountCents, reference: p.reference };

    if (this.data.status !== 'AWAITING_PAYMENT') {
      // Money for an order that is closed or already paid: it is never kept silently.
      // Card: refunded through Stripe. Transfer: a refund task for the provider, who holds the client's bank details.
      view.outcome = p.method === 'card' ? 'REFUNDED' : 'FLAGGED';
      this.pending.push({
        kind: 'refund',
        key: `payment:${p.idempotencyKey}`,
        method: p.method,
        reference: p.reference,
        amountCents: p.amountCents,
        reason: 'UNEXPECTED_PAYMENT',
      });
      this.emit(
        p.method === 'card' ? 'UNEXPECTED_PAYMENT_REFUNDED' : 'UNEXPECTED_PAYMENT_FLAGGED',
        nowMs,
        { ...details, status: this.data.status },
        [
          { template: 'UNEXPECTED_PAYMENT_REFUNDED', to: 'client' },
          { template: 'PROVIDER_UNEXPECTED_PAYMENT', to: 'provider' },
        ],
      );
      return;
    }

    const received = this.data.paidCents + p.amountCents;
    if (received < this.input.priceCents) {
      view.outcome = 'PARTIAL';
      this.data.paidCents = received;
      this.emit('PAYMENT_INCOMPLETE', nowMs, { ...details, receivedCents: received, expectedCents: this.input.priceCents }, [
        { template: 'PROVIDER_PAYMENT_MISMATCH', to: 'provider' },
      ]);
      return;
    }
    this.data.paidCents = received;
    this.data.paidAtMs = paidAtMs;
    this.data.expiresAtMs = expiryOf(paidAtMs, this.settings);
    this.setStatus('ACTIVE', nowMs);
    this.emit('PAYMENT_CONFIRMED', nowMs, { ...details, paidAt: iso(paidAtMs), expiresAt: iso(this.data.expiresAtMs) }, [
      { template: 'PAYMENT_CONFIRMED', to: 'client' },
      { template: 'PROVIDER_PAYMENT_CONFIRMED', to: 'provider' },
    ]);
    if (received > this.input.priceCents) {
      view.outcome = 'SURPLUS';
      this.emit('PAYMENT_SURPLUS', nowMs, { ...details, receivedCents: received, expectedCents: this.input.priceCents }, [
        { template: 'PROVIDER_PAYMENT_MISMATCH', to: 'provider' },
      ]);
    }
  }

  // ------------------------------------------------------------------------------------------- booking

  private requireActive(): void {
    if (this.data.status === 'AWAITING_PAYMENT') throw new PackRuleError('PAYMENT_PENDING');
    if (this.data.status !== 'ACTIVE') throw new PackRuleError('PACK_NOT_ACTIVE');
  }

  private parseStart(start: unknown): number {
    const t =
      typeof start === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(start) ? ms(start) : NaN;
    if (Number.isNaN(t))
      throw new PackRuleError(
        'VALIDATION_FAILED',
        'La date de début doit être une date ISO 8601 avec fuseau (ex. 2026-03-02T10:00:00+01:00).',
      );
    if (t % 60_000 !== 0) throw new PackRuleError('VALIDATION_FAILED', 'La date de début doit tomber sur une minute entière.');
    return t;
  }

  /** What the pack alone can tell about a new session (the calendar and opening hours are checked by the activity). */
  checkNewSession(start: unknown, nowMs: number): { startMs: number; endMs: number } {
    this.requireActive();
    const startMs = this.parseStart(start);
    const endMs = startMs + this.sessionMs;
    if (startMs <= nowMs) throw new PackRuleError('TOO_SOON');
    if (endMs > this.data.expiresAtMs!) throw new PackRuleError('AFTER_EXPIRY');
    if (this.hours().available < this.input.sessionHours) throw new PackRuleError('INSUFFICIENT_HOURS');
    return { startMs, endMs };
  }

  /** Holds the hours while the calendar reservation is in flight; call the returned function once it settles. */
  holdHours(): () => void {
    this.reservingHours += this.input.sessionHours;
    let released = false;
    return () => {
      if (!released) this.reservingHours -= this.input.sessionHours;
      released = true;
    };
  }

  slotFor(bookingId: string, revision: number): string {
    return `${bookingId}:${revision}`;
  }

  addBooking(id: string, startMs: number, autoConfirm: boolean, nowMs: number): BookingView {
    const b: BookingView = {
      id,
      start: iso(startMs),
      end: iso(startMs + this.sessionMs),
      hours: this.input.sessionHours,
      status: autoConfirm ? 'CONFIRMED' : 'REQUESTED',
      penaltyWaived: false,
      revision: 0,
      history: [],
    };
    this.push(b, 'REQUESTED', 'client', nowMs);
    this.data.bookings.push(b);
    const info = this.bookingInfo(b);
    if (autoConfirm) {
      this.push(b, 'CONFIRMED', 'system', nowMs, 'confirmation automatique');
      this.skipPastReminders(b, nowMs);
      this.emit('BOOKING_CONFIRMED', nowMs, info, [
        { template: 'BOOKING_CONFIRMED', to: 'client' },
        { template: 'PROVIDER_BOOKING_CONFIRMED', to: 'provider' },
      ]);
    } else {
      this.emit('BOOKING_REQUESTED', nowMs, info, [
        { template: 'BOOKING_REQUESTED', to: 'client' },
        { template: 'PROVIDER_BOOKING_REQUESTED', to: 'provider' },
      ]);
    }
    return b;
  }

  private bookingInfo(b: BookingView): Record<string, unknown> {
    return { bookingId: b.id, start: b.start, end: b.end, hours: b.hours, revision: b.revision, status: b.status };
  }

  /** Reminders whose time has already passed when a session is (re)confirmed are not sent late. */
  private skipPastReminders(b: BookingView, nowMs: number): void {
    for (const before of this.settings.sessionRemindersBeforeMs) {
      if (ms(b.start) - before <= nowMs) this.markFired(this.reminderKey(b, before));
    }
  }

  private reminderKey(b: BookingView, before: number): string {
    return `remind:${b.id}:${b.revision}:${before}`;
  }

  private markFired(key: string): void {
    if (!this.data.fired.includes(key)) this.data.fired.push(key);
  }

  checkProviderDecision(bookingId: string): BookingView {
    const b = this.booking(bookingId);
    if (b.status !== 'REQUESTED')
      throw new PackRuleError('BOOKING_NOT_CANCELLABLE', "Cette demande n'est plus en attente de confirmation.");
    return b;
  }

  confirm(bookingId: string, nowMs: number): BookingView {
    const b = this.checkProviderDecision(bookingId);
    b.status = 'CONFIRMED';
    this.push(b, 'CONFIRMED', 'provider', nowMs);
    this.skipPastReminders(b, nowMs);
    this.emit('BOOKING_CONFIRMED', nowMs, this.bookingInfo(b), [
      { template: 'BOOKING_CONFIRMED', to: 'client' },
      { template: 'PROVIDER_BOOKING_CONFIRMED', to: 'provider' },
    ]);
    return b;
  }

  decline(bookingId: string, nowMs: number, reason?: string, by: Actor = 'provider'): BookingView {
    const b = this.checkProviderDecision(bookingId);
    b.status = 'DECLINED';
    this.push(b, 'DECLINED', by, nowMs, reason);
    this.pending.push({ kind: 'releaseSlot', slotId: this.slotId(b) });
    this.emit('BOOKING_DECLINED', nowMs, { ...this.bookingInfo(b), reason: reason ?? null }, [
      { template: 'BOOKING_DECLINED', to: 'client' },
      ...(by === 'system' ? [{ template: 'PROVIDER_BOOKING_EXPIRED' as const, to: 'provider' as const }] : []),
    ]);
    return b;
  }

  /** A session that can still be cancelled or moved: agreed or requested, and not begun. */
  checkChangeable(bookingId: string, nowMs: number): BookingView {
    if (this.data.status !== 'ACTIVE' && this.data.status !== 'USED_UP') throw new PackRuleError('PACK_NOT_ACTIVE');
    const b = this.booking(bookingId);
    if ((b.status !== 'REQUESTED' && b.status !== 'CONFIRMED') || ms(b.start) <= nowMs) throw new PackRuleError('BOOKING_NOT_CANCELLABLE');
    return b;
  }

  cancel(bookingId: string, by: 'client' | 'provider', nowMs: number): { booking: BookingView; penalty: boolean; hoursReturned: number } {
    const b = this.checkChangeable(bookingId, nowMs);
    const penalty = cancellationIsBilled({
      startMs: ms(b.start),
      nowMs,
      status: b.status,
      by,
      noticeMs: this.settings.freeCancellationNoticeMs,
    });
    b.status = penalty ? 'LATE_CANCELLED' : 'CANCELLED';
    b.revision += 1; // the invite is cancelled
    this.push(b, b.status, by, nowMs);
    this.pending.push({ kind: 'releaseSlot', slotId: this.slotFor(b.id, b.revision - 1) });
    this.emit(penalty ? 'BOOKING_CANCELLED_BILLED' : 'BOOKING_CANCELLED', nowMs, { ...this.bookingInfo(b), by }, [
      { template: penalty ? 'BOOKING_CANCELLED_BILLED' : 'BOOKING_CANCELLED', to: 'client' },
      { template: 'PROVIDER_BOOKING_CANCELLED', to: 'provider' },
    ]);
    this.checkUsedUp(nowMs);
    return { booking: b, penalty, hoursReturned: penalty ? 0 : b.hours };
  }

  /** Whether moving this session now would bill it (late move) — then the new session needs hours of its own. */
  rescheduleIsBilled(b: BookingView, by: 'client' | 'provider', nowMs: number): boolean {
    return cancellationIsBilled({ startMs: ms(b.start), nowMs, status: b.status, by, noticeMs: this.settings.freeCancellationNoticeMs });
  }

  checkReschedule(
    bookingId: string,
    start: unknown,
    by: 'client' | 'provider',
    nowMs: number,
  ): { booking: BookingView; startMs: number; penalty: boolean } {
    const b = this.checkChangeable(bookingId, nowMs);
    if (this.data.status !== 'ACTIVE') throw new PackRuleError('PACK_NOT_ACTIVE');
    const startMs = this.parseStart(start);
    if (startMs <= nowMs) throw new PackRuleError('TOO_SOON');
    if (startMs + this.sessionMs > this.data.expiresAtMs!) throw new PackRuleError('AFTER_EXPIRY');
    const penalty = this.rescheduleIsBilled(b, by, nowMs);
    // A late move bills the session as planned (« report tardif »): the new one needs hours of its own.
    if (penalty && this.hours().available < this.input.sessionHours) throw new PackRuleError('INSUFFICIENT_HOURS');
    return { booking: b, startMs, penalty };
  }

  /** Free move: same booking, new time, new revision of the invite. */
  moveBooking(bookingId: string, startMs: number, by: 'client' | 'provider', autoConfirm: boolean, nowMs: number): BookingView {
    const b = this.booking(bookingId);
    const from = b.start;
    b.revision += 1;
    b.start = iso(startMs);
    b.end = iso(startMs + this.sessionMs);
    // The new time is agreed when the provider moves it or confirmation is automatic; a client's move is a request.
    b.status = by === 'provider' || autoConfirm ? 'CONFIRMED' : 'REQUESTED';
    this.push(b, 'RESCHEDULED', by, nowMs, `${from} → ${b.start}`);
    if (b.status === 'CONFIRMED') this.skipPastReminders(b, nowMs);
    this.pending.push({ kind: 'releaseSlot', slotId: this.slotFor(b.id, b.revision - 1) });
    this.emit('BOOKING_RESCHEDULED', nowMs, { ...this.bookingInfo(b), from, by }, [
      { template: 'BOOKING_RESCHEDULED', to: 'client' },
      { template: 'PROVIDER_BOOKING_RESCHEDULED', to: 'provider' },
    ]);
    return b;
  }

  /** Marks the late-moved session billed, the caller then books the new one with `addBooking`. */
  billLateMove(bookingId: string, by: 'client' | 'provider', nowMs: number): BookingView {
    const b = this.booking(bookingId);
    b.status = 'LATE_CANCELLED';
    b.revision += 1;
    this.push(b, 'LATE_CANCELLED', by, nowMs, 'report demandé moins de 24 h avant');
    this.pending.push({ kind: 'releaseSlot', slotId: this.slotFor(b.id, b.revision - 1) });
    this.emit('BOOKING_CANCELLED_BILLED', nowMs, { ...this.bookingInfo(b), by, reschedule: true }, [
      { template: 'BOOKING_CANCELLED_BILLED', to: 'client' },
      { template: 'PROVIDER_BOOKING_CANCELLED', to: 'provider' },
    ]);
    return b;
  }

  // ------------------------------------------------------------------------------------------- absence & waiver

  checkNoShow(bookingId: string, nowMs: number): BookingView {
    const b = this.booking(bookingId);
    const startMs = ms(b.start);
    const started = (b.status === 'CONFIRMED' && startMs <= nowMs) || b.status === 'HELD';
    if (!started)
      throw new PackRuleError('BOOKING_NOT_CANCELLABLE', "Une absence ne peut être signalée qu'après le début d'une séance confirmée.");
    if (nowMs > ms(b.end) + this.settings.noShowReportWindowMs) {
      throw new PackRuleError('BOOKING_NOT_CANCELLABLE', 'Le délai pour signaler une absence à cette séance est dépassé.');
    }
    return b;
  }

  reportNoShow(bookingId: string, nowMs: number): BookingView {
    const b = this.checkNoShow(bookingId, nowMs);
    b.status = 'NO_SHOW';
    this.push(b, 'NO_SHOW', 'provider', nowMs);
    this.emit('NO_SHOW', nowMs, this.bookingInfo(b), [{ template: 'NO_SHOW', to: 'client' }]);
    this.checkUsedUp(nowMs);
    return b;
  }

  checkWaive(bookingId: string): BookingView {
    const b = this.booking(bookingId);
    if (!isBilledPenalty(b)) throw new PackRuleError('BOOKING_NOT_CANCELLABLE', "Cette séance n'a pas de pénalité à lever.");
    if (this.isFinal()) throw new PackRuleError('PACK_NOT_ACTIVE');
    return b;
  }

  /** The provider waives the penalty for a justified absence or late cancellation: the hours return to the pack. */
  waive(bookingId: string, nowMs: number): { booking: BookingView; hoursReturned: number } {
    const b = this.checkWaive(bookingId);
    b.penaltyWaived = true;
    this.push(b, 'PENALTY_WAIVED', 'provider', nowMs);
    if (this.data.status === 'USED_UP') {
      this.data.status = 'ACTIVE';
      this.data.endedAtMs = null;
    }
    this.emit('PENALTY_WAIVED', nowMs, this.bookingInfo(b), [{ template: 'PENALTY_WAIVED', to: 'client' }]);
    return { booking: b, hoursReturned: b.hours };
  }

  // ------------------------------------------------------------------------------------------- withdrawal

  checkWithdraw(nowMs: number): void {
    if (!this.withdrawalAt(nowMs).allowed) throw new PackRuleError('WITHDRAWAL_NOT_ALLOWED');
  }

  /** Rétractation: full refund of what was paid, future sessions cancelled, the pack closed. */
  withdraw(nowMs: number): { status: 'WITHDRAWN'; refund: { method: PaymentView['method']; amountCents: number } } {
    this.checkWithdraw(nowMs);
    for (const b of this.data.bookings) {
      if (b.status === 'REQUESTED' || b.status === 'CONFIRMED') {
        b.status = 'CANCELLED';
        b.revision += 1;
        this.push(b, 'CANCELLED', 'client', nowMs, 'rétractation');
        this.pending.push({ kind: 'releaseSlot', slotId: this.slotFor(b.id, b.revision - 1) });
        // The session leaves the client's and the provider's calendars (an iCalendar CANCEL).
        this.emit('BOOKING_CANCELLED', nowMs, { ...this.bookingInfo(b), by: 'client', withdrawal: true }, [
          { template: 'BOOKING_CANCELLED', to: 'client' },
          { template: 'PROVIDER_BOOKING_CANCELLED', to: 'provider' },
        ]);
      }
    }
    const refund = { method: this.input.paymentMethod, amountCents: this.data.paidCents };
    for (const p of this.data.payments) {
      if (p.outcome !== 'ACCEPTED' && p.outcome !== 'PARTIAL' && p.outcome !== 'SURPLUS') continue;
      refund.method = p.method;
      this.pending.push({
        kind: 'refund',
        key: `withdrawal:${p.idempotencyKey}`,
        method: p.method,
        reference: p.reference,
        amountCents: p.amountCents,
        reason: 'WITHDRAWAL',
      });
    }
    this.data.refund = refund;
    this.setStatus('WITHDRAWN', nowMs);
    this.emit('WITHDRAWN', nowMs, { refundCents: refund.amountCents, refundMethod: refund.method }, [
      { template: 'WITHDRAWN', to: 'client' },
      { template: 'PROVIDER_WITHDRAWN', to: 'provider' },
    ]);
    return { status: 'WITHDRAWN', refund };
  }

  // ------------------------------------------------------------------------------------------- time

  private checkUsedUp(nowMs: number): void {
    const h = this.hours();
    if (this.data.status === 'ACTIVE' && h.available === 0 && h.reserved === 0) {
      this.setStatus('USED_UP', nowMs);
      this.emit('PACK_USED_UP', nowMs, { hours: h }, [
        { template: 'PACK_ENDED_USED_UP', to: 'client' },
        { template: 'PROVIDER_PACK_ENDED', to: 'provider' },
      ]);
    }
  }

  /** When the workflow may complete; null while the pack can still change. */
  closesAtMs(): number | null {
    const d = this.data;
    if (d.endedAtMs === null) return null;
    switch (d.status) {
      case 'CANCELLED_UNPAID':
      case 'WITHDRAWN':
        return d.endedAtMs + this.settings.closedLingerMs;
      case 'USED_UP':
        return Math.min(d.endedAtMs + this.settings.usedUpGraceMs, d.expiresAtMs ?? Infinity);
      case 'EXPIRED':
        return d.endedAtMs;
      default:
        return null;
    }
  }

  /** Every timer the pack is waiting for, earliest first. Derived from the state: a moved or cancelled session's reminders simply are not there. */
  timers(): Timer[] {
    const d = this.data;
    const s = this.settings;
    const out: Timer[] = [];
    const add = (atMs: number, kind: string, key: string) => {
      if (!d.fired.includes(key)) out.push({ atMs, kind, key });
    };
    if (d.status === 'AWAITING_PAYMENT' || d.status === 'ACTIVE') {
      // Nothing happens then, but the pack's state (and the portal's withdraw button) must change at that moment.
      add(this.withdrawalDeadline(), 'WITHDRAWAL_PERIOD_END', 'withdrawal-period-end');
    }
    if (d.status === 'AWAITING_PAYMENT') {
      const { deadline, reminderAt } = paymentDeadlineOf(this.input.orderedAtMs, s);
      add(reminderAt, 'PAYMENT_REMINDER', 'payment-reminder');
      add(deadline, 'PAYMENT_DEADLINE', 'payment-deadline');
    }
    if ((d.status === 'ACTIVE' || d.status === 'USED_UP') && d.expiresAtMs !== null) {
      for (const b of d.bookings) {
        const startMs = ms(b.start);
        if (b.status === 'REQUESTED') add(startMs, 'REQUEST_UNANSWERED', `unanswered:${b.id}:${b.revision}`);
        if (b.status === 'CONFIRMED') {
          for (const before of s.sessionRemindersBeforeMs) add(startMs - before, 'SESSION_REMINDER', this.reminderKey(b, before));
          add(startMs, 'SESSION_START', `start:${b.id}:${b.revision}`);
          add(ms(b.end), 'SESSION_END', `end:${b.id}:${b.revision}`);
        }
      }
      if (d.status === 'ACTIVE') {
        for (const before of s.expiryWarningsBeforeMs) add(d.expiresAtMs - before, 'EXPIRY_WARNING', `expiry-warning:${before}`);
        add(d.expiresAtMs, 'EXPIRY', 'expiry');
      }
    }
    const closes = this.closesAtMs();
    if (closes !== null) out.push({ atMs: closes, kind: 'CLOSE', key: 'close' });
    return out.sort((a, b) => a.atMs - b.atMs);
  }

  /** Handles every timer due at `nowMs`, in time order. Returns true when the workflow should complete. */
  fireDue(nowMs: number): boolean {
    for (let guard = 0; guard < 1000; guard++) {
      const t = this.timers()[0];
      if (!t || t.atMs > nowMs) return false;
      if (t.kind === 'CLOSE') return true;
      this.markFired(t.key);
      this.fire(t, nowMs);
    }
    return false;
  }

  private fire(t: Timer, nowMs: number): void {
    const d = this.data;
    const bookingId = t.key.split(':')[1];
    switch (t.kind) {
      case 'PAYMENT_REMINDER':
        this.emit('PAYMENT_REMINDER', nowMs, {}, [{ template: 'PAYMENT_REMINDER', to: 'client' }]);
        return;
      case 'WITHDRAWAL_PERIOD_END':
        return;
      case 'PAYMENT_DEADLINE':
        this.setStatus('CANCELLED_UNPAID', nowMs);
        this.emit('ORDER_CANCELLED_UNPAID', nowMs, { paidCents: d.paidCents }, [
          { template: 'ORDER_CANCELLED_UNPAID', to: 'client' },
          { template: 'PROVIDER_ORDER_CANCELLED_UNPAID', to: 'provider' },
        ]);
        // A partial payment received before the deadline is given back.
        for (const p of d.payments.filter((x) => x.outcome === 'PARTIAL')) {
          p.outcome = p.method === 'card' ? 'REFUNDED' : 'FLAGGED';
          this.pending.push({
            kind: 'refund',
            key: `unpaid:${p.idempotencyKey}`,
            method: p.method,
            reference: p.reference,
            amountCents: p.amountCents,
            reason: 'ORDER_CANCELLED',
          });
        }
        return;
      case 'REQUEST_UNANSWERED':
        this.decline(bookingId, nowMs, "demande non confirmée avant l'heure prévue", 'system');
        this.checkUsedUp(nowMs);
        return;
      case 'SESSION_REMINDER': {
        const b = this.booking(bookingId);
        const beforeMs = Number(t.key.split(':')[3]);
        this.emit('SESSION_REMINDER', nowMs, { ...this.bookingInfo(b), beforeMs }, [
          { template: 'SESSION_REMINDER', to: 'client' },
          { template: 'PROVIDER_SESSION_REMINDER', to: 'provider' },
        ]);
        return;
      }
      case 'SESSION_START': {
        const b = this.booking(bookingId);
        // From now on the withdrawal right is lost (« dès lors que le rendez-vous a débuté »).
        this.emit('SESSION_STARTED', nowMs, this.bookingInfo(b));
        return;
      }
      case 'SESSION_END': {
        const b = this.booking(bookingId);
        b.status = 'HELD';
        this.push(b, 'HELD', 'system', nowMs);
        this.emit('SESSION_HELD', nowMs, this.bookingInfo(b));
        this.checkUsedUp(nowMs);
        return;
      }
      case 'EXPIRY_WARNING': {
        const h = this.hours();
        if (h.available > 0) {
          this.emit('EXPIRY_WARNING', nowMs, { hoursLeft: h.available, expiresAt: iso(d.expiresAtMs!) }, [
            { template: 'EXPIRY_WARNING', to: 'client' },
          ]);
        }
        return;
      }
      case 'EXPIRY': {
        const h = this.hours();
        d.lostAtExpiry = h.available;
        this.setStatus('EXPIRED', nowMs);
        this.emit('PACK_EXPIRED', nowMs, { hoursLost: h.available, hours: this.hours() }, [
          { template: 'PACK_ENDED_EXPIRED', to: 'client' },
          { template: 'PROVIDER_PACK_ENDED', to: 'provider' },
        ]);
        return;
      }
    }
  }

  /** A refund was carried out (Stripe) or handed to the provider (bank transfer): it goes on the timeline. */
  refundRecorded(
    r: Extract<Effect, { kind: 'refund' }>,
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
    if (outcome.status === 'REFUNDED') this.emit('REFUND_ISSUED', nowMs, data);
    else this.emit('REFUND_TASK_CREATED', nowMs, data, [{ template: 'PROVIDER_REFUND_TASK', to: 'provider' }]);
  }
}
