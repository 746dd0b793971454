/**
 * A session's day: its reminders, its start (from then on the withdrawal right is lost), its end (the hours are
 * used), the provider's report of an absence (« Toute absence injustifiée […] entraînera la facturation intégrale de
 * l'heure prévue ») and the provider's waiver of a penalty for a justified absence or a late cancellation.
 */
import type { BookingView } from '../../shared/pack';
import { isBilledPenalty } from '../../shared/policy';
import type { PackCore } from './core';
import { bookingData, toClient, toProvider } from './effects';
import { PackRuleError } from './errors';
import { checkUsedUp } from './hours';
import { toMs } from './instants';

export function remindOfSession(pack: PackCore, bookingId: string, beforeMs: number, nowMs: number): void {
  const b = pack.booking(bookingId);
  pack.effects.event('SESSION_REMINDER', nowMs, { ...bookingData(b), beforeMs }, [
    toClient('SESSION_REMINDER'),
    toProvider('PROVIDER_SESSION_REMINDER'),
  ]);
}

export function sessionStarted(pack: PackCore, bookingId: string, nowMs: number): void {
  const b = pack.booking(bookingId);
  // From now on the withdrawal right is lost (« dès lors que le rendez-vous a débuté »).
  pack.effects.event('SESSION_STARTED', nowMs, bookingData(b));
}

/** A confirmed session that reached its end took place: its hours are used. */
export function sessionHeld(pack: PackCore, bookingId: string, nowMs: number): void {
  const b = pack.booking(bookingId);
  b.status = 'HELD';
  pack.addHistory(b, 'HELD', 'system', nowMs);
  pack.effects.event('SESSION_HELD', nowMs, bookingData(b));
  checkUsedUp(pack, nowMs);
}

/** An absence is reported once a confirmed session has begun, and up to the report window after its end. */
export function checkNoShow(pack: PackCore, bookingId: string, nowMs: number): BookingView {
  const b = pack.booking(bookingId);
  const startMs = toMs(b.start);
  const started = (b.status === 'CONFIRMED' && startMs <= nowMs) || b.status === 'HELD';
  if (!started)
    throw new PackRuleError('BOOKING_NOT_CANCELLABLE', "Une absence ne peut être signalée qu'après le début d'une séance confirmée.");
  if (nowMs > toMs(b.end) + pack.settings.noShowReportWindowMs) {
    throw new PackRuleError('BOOKING_NOT_CANCELLABLE', 'Le délai pour signaler une absence à cette séance est dépassé.');
  }
  return b;
}

export function reportNoShow(pack: PackCore, bookingId: string, nowMs: number): BookingView {
  const b = checkNoShow(pack, bookingId, nowMs);
  b.status = 'NO_SHOW';
  pack.addHistory(b, 'NO_SHOW', 'provider', nowMs);
  pack.effects.event('NO_SHOW', nowMs, bookingData(b), [toClient('NO_SHOW')]);
  checkUsedUp(pack, nowMs);
  return b;
}

export function checkWaive(pack: PackCore, bookingId: string): BookingView {
  const b = pack.booking(bookingId);
  if (!isBilledPenalty(b)) throw new PackRuleError('BOOKING_NOT_CANCELLABLE', "Cette séance n'a pas de pénalité à lever.");
  if (pack.isFinal()) throw new PackRuleError('PACK_NOT_ACTIVE');
  return b;
}

/** The provider waives the penalty: the hours return to the pack, and a USED_UP pack is ACTIVE again. */
export function waive(pack: PackCore, bookingId: string, nowMs: number): { booking: BookingView; hoursReturned: number } {
  const b = checkWaive(pack, bookingId);
  b.penaltyWaived = true;
  pack.addHistory(b, 'PENALTY_WAIVED', 'provider', nowMs);
  if (pack.data.status === 'USED_UP') {
    pack.data.status = 'ACTIVE';
    pack.data.endedAtMs = null;
  }
  pack.effects.event('PENALTY_WAIVED', nowMs, bookingData(b), [toClient('PENALTY_WAIVED')]);
  return { booking: b, hoursReturned: b.hours };
}
