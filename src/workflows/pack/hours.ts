/**
 * Hour accounting (src/shared/policy.ts `hoursOf`) applied to one pack: the hours held while a calendar reservation
 * is in flight, and what follows when no hour is left (USED_UP) or when the validity ends (EXPIRED, the hours left
 * are lost: « Les heures non utilisées au terme de cette période seront considérées comme perdues »).
 */
import type { PackInput } from '../../shared/pack';
import { hoursOf, type Hours } from '../../shared/policy';
import type { PackCore, PackData } from './core';
import { toClient, toProvider } from './effects';
import { toIso } from './instants';

export class HourLedger {
  /** Hours held by booking requests whose calendar reservation is in flight (this run's only: never carried). */
  private reservingHours = 0;

  constructor(
    private readonly input: Pick<PackInput, 'totalHours' | 'sessionHours'>,
    private readonly data: Pick<PackData, 'bookings' | 'lostAtExpiry'>,
  ) {}

  hours(): Hours {
    const h = hoursOf(this.input.totalHours, this.data.bookings, this.data.lostAtExpiry);
    const reserving = Math.min(this.reservingHours, h.available);
    return { ...h, reserved: h.reserved + reserving, available: h.available - reserving };
  }

  /** Holds one session's hours while its calendar reservation is in flight; call the returned function once it settles. */
  hold(): () => void {
    this.reservingHours += this.input.sessionHours;
    let released = false;
    return () => {
      if (!released) this.reservingHours -= this.input.sessionHours;
      released = true;
    };
  }
}

/** An active pack with no hour left, none reserved, is USED_UP (it stays open a while: see timers' closesAtMs). */
export function checkUsedUp(pack: PackCore, nowMs: number): void {
  const h = pack.hours();
  if (pack.data.status === 'ACTIVE' && h.available === 0 && h.reserved === 0) {
    pack.setStatus('USED_UP', nowMs);
    pack.effects.event('PACK_USED_UP', nowMs, { hours: h }, [toClient('PACK_ENDED_USED_UP'), toProvider('PROVIDER_PACK_ENDED')]);
  }
}

/** Before expiry the client is warned, only while hours remain to be booked. */
export function warnOfExpiry(pack: PackCore, nowMs: number): void {
  const h = pack.hours();
  if (h.available > 0) {
    pack.effects.event('EXPIRY_WARNING', nowMs, { hoursLeft: h.available, expiresAt: toIso(pack.data.expiresAtMs!) }, [
      toClient('EXPIRY_WARNING'),
    ]);
  }
}

/** The validity is over: the hours still available are lost, the pack is EXPIRED. */
export function expire(pack: PackCore, nowMs: number): void {
  const h = pack.hours();
  pack.data.lostAtExpiry = h.available;
  pack.setStatus('EXPIRED', nowMs);
  pack.effects.event('PACK_EXPIRED', nowMs, { hoursLost: h.available, hours: pack.hours() }, [
    toClient('PACK_ENDED_EXPIRED'),
    toProvider('PROVIDER_PACK_ENDED'),
  ]);
}
