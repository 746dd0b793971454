/**
 * Booking rules: a new session (what the pack alone can tell: the calendar and opening hours are the reservation
 * activity's to check), the provider's confirmation or refusal, cancellation and rescheduling under the 24-hour rule
 * (src/shared/policy.ts `cancellationIsBilled`). Each change queues its timeline event and, when a calendar range is
 * given up, its release.
 */
import type { Actor, BookingView } from '../../shared/pack';
import { cancellationIsBilled } from '../../shared/policy';
import type { PackCore } from './core';
import { bookingData, inviteSequence, toClient, toProvider, type EmailSpec } from './effects';
import { PackRuleError } from './errors';
import { checkUsedUp } from './hours';
import { toIso, toMs } from './instants';
import { skipPastReminders } from './timers';

/** A calendar reservation's id: one per booking and revision, so a moved session's old range is released by id. */
export function slotFor(bookingId: string, revision: number): string {
  return `${bookingId}:${revision}`;
}

/** The session's invite changes (moved, confirmed, cancelled): calendars take the one with the higher SEQUENCE. */
export function bumpInvite(b: BookingView): void {
  b.sequence = inviteSequence(b) + 1;
}

/** Whether the client holds an invite for a session still requested: only a moved one was sent its (tentative) invite. */
function hasTentativeInvite(b: BookingView): boolean {
  return b.status === 'REQUESTED' && b.history.some((h) => h.status === 'RESCHEDULED');
}

function requireActive(pack: PackCore): void {
  if (pack.data.status === 'AWAITING_PAYMENT') throw new PackRuleError('PAYMENT_PENDING');
  if (pack.data.status !== 'ACTIVE') throw new PackRuleError('PACK_NOT_ACTIVE');
}

/** A start is an ISO 8601 instant with its offset, on a whole minute. */
function parseStart(start: unknown): number {
  const t =
    typeof start === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(start) ? toMs(start) : NaN;
  if (Number.isNaN(t))
    throw new PackRuleError(
      'VALIDATION_FAILED',
      'La date de début doit être une date ISO 8601 avec fuseau (ex. 2026-03-02T10:00:00+01:00).',
    );
  if (t % 60_000 !== 0) throw new PackRuleError('VALIDATION_FAILED', 'La date de début doit tomber sur une minute entière.');
  return t;
}

/** What the pack alone can tell about a new session (the calendar and opening hours are checked by the activity). */
export function checkNewSession(pack: PackCore, start: unknown, nowMs: number): { startMs: number; endMs: number } {
  requireActive(pack);
  const startMs = parseStart(start);
  const endMs = startMs + pack.sessionMs;
  if (startMs <= nowMs) throw new PackRuleError('TOO_SOON');
  if (endMs > pack.data.expiresAtMs!) throw new PackRuleError('AFTER_EXPIRY');
  if (pack.hours().available < pack.input.sessionHours) throw new PackRuleError('INSUFFICIENT_HOURS');
  return { startMs, endMs };
}

/** The session's range is reserved: it is confirmed at once (automatic confirmation) or waits for the provider. */
export function addBooking(pack: PackCore, id: string, startMs: number, autoConfirm: boolean, nowMs: number): BookingView {
  const b: BookingView = {
    id,
    start: toIso(startMs),
    end: toIso(startMs + pack.sessionMs),
    hours: pack.input.sessionHours,
    status: autoConfirm ? 'CONFIRMED' : 'REQUESTED',
    penaltyWaived: false,
    revision: 0,
    sequence: 0,
    history: [],
  };
  pack.addHistory(b, 'REQUESTED', 'client', nowMs);
  pack.data.bookings.push(b);
  const info = bookingData(b);
  if (autoConfirm) {
    pack.addHistory(b, 'CONFIRMED', 'system', nowMs, 'confirmation automatique');
    skipPastReminders(pack, b, nowMs);
    pack.effects.event('BOOKING_CONFIRMED', nowMs, info, [toClient('BOOKING_CONFIRMED'), toProvider('PROVIDER_BOOKING_CONFIRMED')]);
  } else {
    pack.effects.event('BOOKING_REQUESTED', nowMs, info, [toClient('BOOKING_REQUESTED'), toProvider('PROVIDER_BOOKING_REQUESTED')]);
  }
  return b;
}

// ----------------------------------------------------------------------------------------------- provider's decision

export function checkProviderDecision(pack: PackCore, bookingId: string): BookingView {
  const b = pack.booking(bookingId);
  if (b.status !== 'REQUESTED') throw new PackRuleError('BOOKING_NOT_CANCELLABLE', "Cette demande n'est plus en attente de confirmation.");
  return b;
}

export function confirm(pack: PackCore, bookingId: string, nowMs: number): BookingView {
  const b = checkProviderDecision(pack, bookingId);
  b.status = 'CONFIRMED';
  bumpInvite(b); // the confirmed invite supersedes a moved session's tentative one
  pack.addHistory(b, 'CONFIRMED', 'provider', nowMs);
  skipPastReminders(pack, b, nowMs);
  pack.effects.event('BOOKING_CONFIRMED', nowMs, bookingData(b), [toClient('BOOKING_CONFIRMED'), toProvider('PROVIDER_BOOKING_CONFIRMED')]);
  return b;
}

/** Refused by the provider, or by the system when its start comes unanswered (the provider is then told too). */
export function decline(pack: PackCore, bookingId: string, nowMs: number, reason?: string, by: Actor = 'provider'): BookingView {
  const b = checkProviderDecision(pack, bookingId);
  // A moved session the provider does not confirm leaves the client's calendar (its tentative invite is cancelled).
  const cancelsInvite = hasTentativeInvite(b);
  b.status = 'DECLINED';
  if (cancelsInvite) bumpInvite(b);
  pack.addHistory(b, 'DECLINED', by, nowMs, reason);
  pack.effects.releaseSlot(slotFor(b.id, b.revision));
  const emails: EmailSpec[] = [toClient('BOOKING_DECLINED'), ...(by === 'system' ? [toProvider('PROVIDER_BOOKING_EXPIRED')] : [])];
  pack.effects.event(
    'BOOKING_DECLINED',
    nowMs,
    { ...bookingData(b), reason: reason ?? null, ...(cancelsInvite ? { cancelsInvite } : {}) },
    emails,
  );
  return b;
}

/** A request still unanswered at its start time is declined: its hours return to the pack. */
export function declineUnanswered(pack: PackCore, bookingId: string, nowMs: number): void {
  decline(pack, bookingId, nowMs, "demande non confirmée avant l'heure prévue", 'system');
  checkUsedUp(pack, nowMs);
}

// ----------------------------------------------------------------------------------------------- cancel & move

/** A session that can still be cancelled or moved: agreed or requested, and not begun. */
export function checkChangeable(pack: PackCore, bookingId: string, nowMs: number): BookingView {
  if (pack.data.status !== 'ACTIVE' && pack.data.status !== 'USED_UP') throw new PackRuleError('PACK_NOT_ACTIVE');
  const b = pack.booking(bookingId);
  if ((b.status !== 'REQUESTED' && b.status !== 'CONFIRMED') || toMs(b.start) <= nowMs) throw new PackRuleError('BOOKING_NOT_CANCELLABLE');
  return b;
}

/** Whether cancelling or moving this session now bills it (CGV: less than 24 h before, by the client, once agreed). */
export function changeIsBilled(pack: PackCore, b: BookingView, by: 'client' | 'provider', nowMs: number): boolean {
  return cancellationIsBilled({ startMs: toMs(b.start), nowMs, status: b.status, by, noticeMs: pack.settings.freeCancellationNoticeMs });
}

/** Free, or billed under the 24-hour rule (« facturation intégrale de l'heure prévue »): the invite is cancelled either way. */
export function cancel(
  pack: PackCore,
  bookingId: string,
  by: 'client' | 'provider',
  nowMs: number,
): { booking: BookingView; penalty: boolean; hoursReturned: number } {
  const b = checkChangeable(pack, bookingId, nowMs);
  const penalty = changeIsBilled(pack, b, by, nowMs);
  b.status = penalty ? 'LATE_CANCELLED' : 'CANCELLED';
  bumpInvite(b); // the invite is cancelled
  b.revision += 1;
  pack.addHistory(b, b.status, by, nowMs);
  pack.effects.releaseSlot(slotFor(b.id, b.revision - 1));
  pack.effects.event(penalty ? 'BOOKING_CANCELLED_BILLED' : 'BOOKING_CANCELLED', nowMs, { ...bookingData(b), by }, [
    toClient(penalty ? 'BOOKING_CANCELLED_BILLED' : 'BOOKING_CANCELLED'),
    toProvider('PROVIDER_BOOKING_CANCELLED'),
  ]);
  checkUsedUp(pack, nowMs);
  return { booking: b, penalty, hoursReturned: penalty ? 0 : b.hours };
}

/** A move is checked like a new session; a late one (`penalty`) bills the session as planned. */
export function checkReschedule(
  pack: PackCore,
  bookingId: string,
  start: unknown,
  by: 'client' | 'provider',
  nowMs: number,
): { booking: BookingView; startMs: number; penalty: boolean } {
  const b = checkChangeable(pack, bookingId, nowMs);
  if (pack.data.status !== 'ACTIVE') throw new PackRuleError('PACK_NOT_ACTIVE');
  const startMs = parseStart(start);
  if (startMs <= nowMs) throw new PackRuleError('TOO_SOON');
  if (startMs + pack.sessionMs > pack.data.expiresAtMs!) throw new PackRuleError('AFTER_EXPIRY');
  const penalty = changeIsBilled(pack, b, by, nowMs);
  // A late move bills the session as planned (« report tardif »): the new one needs hours of its own.
  if (penalty && pack.hours().available < pack.input.sessionHours) throw new PackRuleError('INSUFFICIENT_HOURS');
  return { booking: b, startMs, penalty };
}

/**
 * Free move: same booking, new time, new revision (the range reserved for it) and a new invite. The new time is agreed
 * when the provider moves it or confirmation is automatic; a client's move is otherwise a request the provider must
 * confirm, and its invite is tentative until then. Either way the former time is given up.
 */
export function moveBooking(
  pack: PackCore,
  bookingId: string,
  startMs: number,
  by: 'client' | 'provider',
  autoConfirm: boolean,
  nowMs: number,
): BookingView {
  const b = pack.booking(bookingId);
  const from = b.start;
  bumpInvite(b);
  b.revision += 1;
  b.start = toIso(startMs);
  b.end = toIso(startMs + pack.sessionMs);
  b.status = by === 'provider' || autoConfirm ? 'CONFIRMED' : 'REQUESTED';
  pack.addHistory(b, 'RESCHEDULED', by, nowMs, `${from} → ${b.start}`);
  if (b.status === 'CONFIRMED') skipPastReminders(pack, b, nowMs);
  pack.effects.releaseSlot(slotFor(b.id, b.revision - 1));
  pack.effects.event('BOOKING_RESCHEDULED', nowMs, { ...bookingData(b), from, by }, [
    toClient('BOOKING_RESCHEDULED'),
    toProvider('PROVIDER_BOOKING_RESCHEDULED'),
  ]);
  return b;
}

/** Marks the late-moved session billed; the caller then books the new one with `addBooking`. */
export function billLateMove(pack: PackCore, bookingId: string, by: 'client' | 'provider', nowMs: number): BookingView {
  const b = pack.booking(bookingId);
  b.status = 'LATE_CANCELLED';
  bumpInvite(b);
  b.revision += 1;
  pack.addHistory(b, 'LATE_CANCELLED', by, nowMs, 'report demandé moins de 24 h avant');
  pack.effects.releaseSlot(slotFor(b.id, b.revision - 1));
  pack.effects.event('BOOKING_CANCELLED_BILLED', nowMs, { ...bookingData(b), by, reschedule: true }, [
    toClient('BOOKING_CANCELLED_BILLED'),
    toProvider('PROVIDER_BOOKING_CANCELLED'),
  ]);
  return b;
}
