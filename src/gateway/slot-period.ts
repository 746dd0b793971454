/**
 * The week of free slots a page shows, and the weeks before and after it: every bookable start of the period is shown
 * (grouped by day), and the next period is one link away. Days in the business's time zone.
 */
import { DateTime } from 'luxon';

export interface SlotPeriod {
  /** First and last local day shown (YYYY-MM-DD). */
  fromDay: string;
  toDay: string;
  /** Instants to ask the free slots for: [fromMs, toMs). */
  fromMs: number;
  toMs: number;
  /** The previous and next periods' first days, when there is one worth showing. */
  previous?: string;
  next?: string;
}

export const PERIOD_DAYS = 7;

/** The period starting on `requested` (a YYYY-MM-DD day, default today), never before today nor after the pack's end. */
export function slotPeriod(requested: unknown, zone: string, nowMs: number, expiresAtMs: number | null): SlotPeriod {
  const today = DateTime.fromMillis(nowMs, { zone }).startOf('day');
  const asked = typeof requested === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(requested) ? DateTime.fromISO(requested, { zone }) : today;
  const last = expiresAtMs ? DateTime.fromMillis(expiresAtMs, { zone }).startOf('day') : today.plus({ days: 62 });
  const start = !asked.isValid || asked < today ? today : asked > last ? last : asked.startOf('day');
  const end = start.plus({ days: PERIOD_DAYS });
  const previous = start > today ? DateTime.max(today, start.minus({ days: PERIOD_DAYS })) : undefined;
  return {
    fromDay: start.toISODate()!,
    toDay: end.minus({ days: 1 }).toISODate()!,
    fromMs: Math.max(start.toMillis(), nowMs),
    toMs: end.toMillis(),
    previous: previous?.toISODate() ?? undefined,
    next: end <= last ? end.toISODate()! : undefined,
  };
}
