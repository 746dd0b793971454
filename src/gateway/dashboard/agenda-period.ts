/** The week and the month the provider's agenda shows (days and months in the business's time zone). */
import { DateTime } from 'luxon';

export interface AgendaWeek {
  /** The Monday (YYYY-MM-DD). */
  monday: string;
  fromMs: number;
  toMs: number;
  days: Array<{ day: string; fromMs: number; toMs: number }>;
  previous: string;
  next: string;
  current: boolean;
}

export interface AgendaMonth {
  /** YYYY-MM. */
  month: string;
  label: string;
  fromMs: number;
  toMs: number;
  previous: string;
  next: string;
}

const dayParam = (v: unknown) => (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : null);

/** The week (Monday to Sunday) holding `requested` (a day), default this week. */
export function agendaWeek(requested: unknown, zone: string, nowMs: number): AgendaWeek {
  const today = DateTime.fromMillis(nowMs, { zone }).startOf('day');
  const asked = dayParam(requested) ? DateTime.fromISO(dayParam(requested)!, { zone }) : today;
  const monday = (asked.isValid ? asked : today).startOf('week');
  const days = Array.from({ length: 7 }, (_, i) => {
    const d = monday.plus({ days: i });
    return { day: d.toISODate()!, fromMs: d.toMillis(), toMs: d.plus({ days: 1 }).toMillis() };
  });
  return {
    monday: monday.toISODate()!,
    fromMs: monday.toMillis(),
    toMs: monday.plus({ weeks: 1 }).toMillis(),
    days,
    previous: monday.minus({ weeks: 1 }).toISODate()!,
    next: monday.plus({ weeks: 1 }).toISODate()!,
    current: monday.equals(today.startOf('week')),
  };
}

/** The calendar month `requested` (YYYY-MM), default this month. */
export function agendaMonth(requested: unknown, zone: string, nowMs: number): AgendaMonth {
  const asked =
    typeof requested === 'string' && /^\d{4}-(0[1-9]|1[0-2])$/.test(requested) ? DateTime.fromISO(`${requested}-01`, { zone }) : null;
  const first = (asked?.isValid ? asked : DateTime.fromMillis(nowMs, { zone })).startOf('month');
  return {
    month: first.toFormat('yyyy-MM'),
    label: first.setLocale('fr').toFormat('LLLL yyyy'),
    fromMs: first.toMillis(),
    toMs: first.plus({ months: 1 }).toMillis(),
    previous: first.minus({ months: 1 }).toFormat('yyyy-MM'),
    next: first.plus({ months: 1 }).toFormat('yyyy-MM'),
  };
}
