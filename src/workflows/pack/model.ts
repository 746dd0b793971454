/**
 * One pack's state and the CGV rules applied to it, as a plain deterministic class: no Temporal, no I/O, no clock
 * (every method takes `nowMs`). The workflow (./workflow.ts) feeds it messages and timers and carries out what it
 * asks for (calendar, refunds, timeline events and their emails) through activities.
 *
 * This is the façade: each rule lives in the module of its concern, all of them working on one PackCore (./core.ts)
 * — booking (./booking.ts), a session's day, absences and waivers (./attendance.ts), hour accounting, used-up and
 * expiry (./hours.ts), order and payment (./payments.ts), refunds and their due dates (./refunds.ts), withdrawal
 * (./withdrawal.ts), the timers derived from the state (./timers.ts), the effects it asks for (./effects.ts).
 */
import type { Actor, BookingView, PackInput, PackState, PaymentSignal } from '../../shared/pack';
import type { Hours } from '../../shared/policy';
import * as attendance from './attendance';
import * as booking from './booking';
import { PackCore, type PackData, type PatchGate } from './core';
import * as documents from './documents';
import type { DocumentEffect, Effect, RefundEffect } from './effects';
import { expire, warnOfExpiry } from './hours';
import * as payments from './payments';
import * as providerRefunds from './provider-refunds';
import type { ProviderRefundRequest } from './provider-refunds';
import * as refunds from './refunds';
import { snapshotOf } from './snapshot';
import { bookingIdOf, closesAtMs, reminderLeadOf, timersOf, type Timer } from './timers';
import * as withdrawal from './withdrawal';

export { initialData, type PackData, type PatchGate } from './core';
export type { DocumentEffect, EmailSpec, Effect, PackEvent } from './effects';
export { PackRuleError } from './errors';
export type { Timer } from './timers';

export class PackModel {
  private readonly pack: PackCore;

  /** `patched`: Temporal's, in the workflow (each change of behaviour asks it once, where it applies). */
  constructor(
    readonly input: PackInput,
    readonly data: PackData,
    patched?: PatchGate,
  ) {
    this.pack = new PackCore(input, data, patched);
  }

  /** The effects produced since the last call, in order. */
  takeEffects(): Effect[] {
    return this.pack.effects.take();
  }

  // ------------------------------------------------------------------------------------------- reading

  get settings() {
    return this.pack.settings;
  }

  get sessionMs(): number {
    return this.pack.sessionMs;
  }

  hours(): Hours {
    return this.pack.hours();
  }

  booking(id: string): BookingView {
    return this.pack.booking(id);
  }

  isFinal(): boolean {
    return this.pack.isFinal();
  }

  snapshot(nowMs: number): PackState {
    return snapshotOf(this.pack, nowMs);
  }

  /** When the workflow may complete; null while the pack can still change. */
  closesAtMs(): number | null {
    return closesAtMs(this.pack);
  }

  /** Every timer the pack is waiting for, earliest first. */
  timers(): Timer[] {
    return timersOf(this.pack);
  }

  // ------------------------------------------------------------------------------------------- order & payment

  orderPlaced(nowMs: number): void {
    payments.orderPlaced(this.pack, nowMs);
  }

  paymentReceived(p: PaymentSignal, nowMs: number): void {
    payments.paymentReceived(this.pack, p, nowMs);
  }

  refundRecorded(r: RefundEffect, outcome: { status: 'REFUNDED' | 'PROVIDER_TASK'; stripeRefundId?: string }, nowMs: number): void {
    refunds.refundRecorded(this.pack, r, outcome, nowMs);
  }

  /** A pack paid before invoices existed asks for its invoice, once (called before each change of the pack). */
  invoiceIfMissing(): void {
    documents.invoiceIfMissing(this.pack);
  }

  /** An invoice or credit note the pack asked for is issued. */
  documentIssued(e: DocumentEffect, issued: { number: string; issuedAt: string; totalCents: number }, nowMs: number): void {
    documents.documentIssued(this.pack, e, issued, nowMs);
  }

  /** The provider's own refund of a paid pack (a gesture or a surplus): refused with the reason, or what it can take. */
  checkProviderRefund(a: unknown): ProviderRefundRequest {
    return providerRefunds.checkProviderRefund(this.pack, a);
  }

  grantRefund(a: unknown, nowMs: number): ReturnType<typeof providerRefunds.grantRefund> {
    return providerRefunds.grantRefund(this.pack, a, nowMs);
  }

  /** The provider made a refund owed by transfer; false when the pack owes no such refund (or it was already paid). */
  refundPaid(key: string, nowMs: number): boolean {
    return refunds.refundPaid(this.pack, key, nowMs);
  }

  // ------------------------------------------------------------------------------------------- booking

  checkNewSession(start: unknown, nowMs: number): { startMs: number; endMs: number } {
    return booking.checkNewSession(this.pack, start, nowMs);
  }

  /** Holds the hours while the calendar reservation is in flight; call the returned function once it settles. */
  holdHours(): () => void {
    return this.pack.ledger.hold();
  }

  slotFor(bookingId: string, revision: number): string {
    return booking.slotFor(bookingId, revision);
  }

  addBooking(id: string, startMs: number, autoConfirm: boolean, nowMs: number): BookingView {
    return booking.addBooking(this.pack, id, startMs, autoConfirm, nowMs);
  }

  checkProviderDecision(bookingId: string): BookingView {
    return booking.checkProviderDecision(this.pack, bookingId);
  }

  confirm(bookingId: string, nowMs: number): BookingView {
    return booking.confirm(this.pack, bookingId, nowMs);
  }

  decline(bookingId: string, nowMs: number, reason?: string, by: Actor = 'provider'): BookingView {
    return booking.decline(this.pack, bookingId, nowMs, reason, by);
  }

  checkChangeable(bookingId: string, nowMs: number): BookingView {
    return booking.checkChangeable(this.pack, bookingId, nowMs);
  }

  cancel(bookingId: string, by: 'client' | 'provider', nowMs: number): { booking: BookingView; penalty: boolean; hoursReturned: number } {
    return booking.cancel(this.pack, bookingId, by, nowMs);
  }

  checkReschedule(
    bookingId: string,
    start: unknown,
    by: 'client' | 'provider',
    nowMs: number,
  ): { booking: BookingView; startMs: number; penalty: boolean } {
    return booking.checkReschedule(this.pack, bookingId, start, by, nowMs);
  }

  moveBooking(bookingId: string, startMs: number, by: 'client' | 'provider', autoConfirm: boolean, nowMs: number): BookingView {
    return booking.moveBooking(this.pack, bookingId, startMs, by, autoConfirm, nowMs);
  }

  billLateMove(bookingId: string, by: 'client' | 'provider', nowMs: number): BookingView {
    return booking.billLateMove(this.pack, bookingId, by, nowMs);
  }

  // ------------------------------------------------------------------------------------------- absence & waiver

  checkNoShow(bookingId: string, nowMs: number): BookingView {
    return attendance.checkNoShow(this.pack, bookingId, nowMs);
  }

  reportNoShow(bookingId: string, nowMs: number): BookingView {
    return attendance.reportNoShow(this.pack, bookingId, nowMs);
  }

  checkWaive(bookingId: string): BookingView {
    return attendance.checkWaive(this.pack, bookingId);
  }

  waive(bookingId: string, nowMs: number): { booking: BookingView; hoursReturned: number } {
    return attendance.waive(this.pack, bookingId, nowMs);
  }

  // ------------------------------------------------------------------------------------------- withdrawal

  /** The client's own withdrawal (the portal, the API), judged now. */
  checkWithdraw(nowMs: number): void {
    withdrawal.checkWithdraw(this.pack, nowMs);
  }

  withdraw(nowMs: number): ReturnType<typeof withdrawal.withdraw> {
    return withdrawal.withdraw(this.pack, nowMs);
  }

  /** A withdrawal the client sent by email or letter, judged on the instant it was received (`receivedAt`, ISO). */
  checkRecordedWithdrawal(receivedAt: unknown, nowMs: number): number {
    const receivedAtMs = withdrawal.receivedAtOf(this.pack, receivedAt, nowMs);
    withdrawal.checkWithdraw(this.pack, nowMs, receivedAtMs);
    return receivedAtMs;
  }

  recordWithdrawal(receivedAt: unknown, nowMs: number): ReturnType<typeof withdrawal.withdraw> {
    const receivedAtMs = withdrawal.receivedAtOf(this.pack, receivedAt, nowMs);
    return withdrawal.withdraw(this.pack, nowMs, { receivedAtMs, recordedBy: 'provider' });
  }

  // ------------------------------------------------------------------------------------------- time

  /** Handles every timer due at `nowMs`, in time order. Returns true when the workflow should complete. */
  fireDue(nowMs: number): boolean {
    for (let guard = 0; guard < 1000; guard++) {
      const t = this.timers()[0];
      if (!t || t.atMs > nowMs) return false;
      if (t.kind === 'CLOSE') return true;
      this.pack.markFired(t.key);
      this.fire(t, nowMs);
    }
    return false;
  }

  private fire(t: Timer, nowMs: number): void {
    const p = this.pack;
    switch (t.kind) {
      case 'WITHDRAWAL_PERIOD_END': // nothing to do: the state's withdrawal eligibility changes by itself
      case 'CLOSE': // handled by fireDue
        return;
      case 'PAYMENT_REMINDER':
        return payments.remindOfPayment(p, nowMs);
      case 'PAYMENT_DEADLINE':
        return payments.cancelUnpaid(p, nowMs);
      case 'REQUEST_UNANSWERED':
        return booking.declineUnanswered(p, bookingIdOf(t), nowMs);
      case 'SESSION_REMINDER':
        return attendance.remindOfSession(p, bookingIdOf(t), reminderLeadOf(t), nowMs);
      case 'SESSION_START':
        return attendance.sessionStarted(p, bookingIdOf(t), nowMs);
      case 'SESSION_END':
        return attendance.sessionHeld(p, bookingIdOf(t), nowMs);
      case 'EXPIRY_WARNING':
        return warnOfExpiry(p, nowMs);
      case 'EXPIRY':
        return expire(p, nowMs);
      case 'REFUND_REMINDER':
        return refunds.remindOfRefund(p, refunds.refundKeyOf(t.key), nowMs);
    }
  }
}
