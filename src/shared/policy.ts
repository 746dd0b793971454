/**
 * The rules of imaginasite's terms of sale (CGV, ../shared/seed/cgv.fr.txt), in one place, as plain functions of
 * their inputs: no clock, no I/O, no Temporal. The pack workflow, the gateway and the tests all use these.
 *
 * Each rule cites the clause it enforces. Instants are epoch milliseconds (real elapsed time); calendar
 * reasoning (months, days, opening hours) is done in the provider's time zone, Europe/Paris by default.
 */
import { DateTime } from 'luxon';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;
export const PARIS = 'Europe/Paris';

// ----------------------------------------------------------------------------------------------- settings

/** Durations and periods. Defaults follow the CGV and the SPEC; each can be configured (see README). */
export interface PackSettings {
  /** « Le paiement est exigé au moment de la commande » — an unpaid order is cancelled after this delay. */
  paymentDeadlineMs: number;
  /** The client is reminded this long before the payment deadline. */
  paymentReminderBeforeMs: number;
  /** « Les packs achetés sont valables pour une durée de 3 mois » — in calendar months. */
  validityMonths: number;
  /**
   * Benchmarks and demonstrations only (`PACK_VALIDITY`, e.g. `5m`): a validity in elapsed time that replaces
   * `validityMonths`, so that expiry can be watched without waiting three months. Never set in production (CGV).
   */
  validityOverrideMs?: number;
  /** Warnings sent this long before expiry while hours remain. */
  expiryWarningsBeforeMs: number[];
  /** Session reminders, this long before the start. */
  sessionRemindersBeforeMs: number[];
  /** « au moins 24 heures avant l'heure convenue » — real elapsed time, across DST changes. */
  freeCancellationNoticeMs: number;
  /** Code de la consommation, art. L221-18: 14 days to withdraw. */
  withdrawalDays: number;
  /**
   * A withdrawal within the period once a session has started (`WITHDRAWAL_AFTER_START`): `refused`, the CGV as
   * written (« dès lors que le rendez-vous a débuté […] aucun remboursement, total ou partiel »), or `prorata`, the
   * law's reading (L221-25): the hours not consumed are refunded at the pack's hourly price (see `consumedHoursAt`).
   * Absent in packs sold before the setting existed: `refused`, the rule they were sold under.
   */
  withdrawalAfterStart?: WithdrawalAfterStart;
  /** A closed unpaid or withdrawn order keeps listening this long, so a late payment is refunded, never lost. */
  closedLingerMs: number;
  /** Once its hours are used up, a pack stays open this long so the provider can still waive a penalty. */
  usedUpGraceMs: number;
  /** The provider can report a no-show up to this long after a session's end. */
  noShowReportWindowMs: number;
  /** Time zone of the business: calendar months, opening hours, the withdrawal period's days. */
  timezone: string;
}

export const DEFAULT_SETTINGS: PackSettings = {
  paymentDeadlineMs: 7 * DAY_MS,
  paymentReminderBeforeMs: 2 * DAY_MS,
  validityMonths: 3,
  expiryWarningsBeforeMs: [14 * DAY_MS, 3 * DAY_MS],
  sessionRemindersBeforeMs: [24 * HOUR_MS, 1 * HOUR_MS],
  freeCancellationNoticeMs: 24 * HOUR_MS,
  withdrawalDays: 14,
  withdrawalAfterStart: 'refused',
  closedLingerMs: 30 * DAY_MS,
  usedUpGraceMs: 7 * DAY_MS,
  noShowReportWindowMs: 7 * DAY_MS,
  timezone: PARIS,
};

// ----------------------------------------------------------------------------------------------- statuses

export const PACK_STATUSES = ['AWAITING_PAYMENT', 'ACTIVE', 'USED_UP', 'EXPIRED', 'CANCELLED_UNPAID', 'WITHDRAWN'] as const;
export type PackStatus = (typeof PACK_STATUSES)[number];
/** Statuses in which the pack is over for the client. */
export const FINAL_STATUSES: readonly PackStatus[] = ['USED_UP', 'EXPIRED', 'CANCELLED_UNPAID', 'WITHDRAWN'];

/**
 * REQUESTED: the client asked, the provider has not confirmed (« créneaux définis d'un commun accord »).
 * CONFIRMED: agreed. DECLINED: refused by the provider, or not confirmed before its start. CANCELLED: cancelled
 * without cost. LATE_CANCELLED: cancelled or moved less than 24 h before — billed. NO_SHOW: the client did not
 * come — billed. HELD: took place.
 */
export type BookingStatus = 'REQUESTED' | 'CONFIRMED' | 'DECLINED' | 'CANCELLED' | 'LATE_CANCELLED' | 'NO_SHOW' | 'HELD';

export interface BookingHours {
  status: BookingStatus;
  hours: number;
  /** The provider waived the penalty of a late cancellation or a no-show (a justified absence). */
  penaltyWaived: boolean;
}

// ----------------------------------------------------------------------------------------------- hours

export interface Hours {
  total: number;
  used: number;
  forfeited: number;
  reserved: number;
  available: number;
}

/** A penalty stands unless the provider waived it: « facturation intégrale de l'heure prévue ». */
export function isBilledPenalty(b: BookingHours): boolean {
  return (b.status === 'LATE_CANCELLED' || b.status === 'NO_SHOW') && !b.penaltyWaived;
}

/**
 * Hour accounting of a pack. `lostAtExpiry` are the hours left unused when the pack expired: « Les heures non
 * utilisées au terme de cette période seront considérées comme perdues ».
 */
export function hoursOf(totalHours: number, bookings: readonly BookingHours[], lostAtExpiry = 0): Hours {
  let used = 0;
  let forfeited = lostAtExpiry;
  let reserved = 0;
  for (const b of bookings) {
    if (b.status === 'HELD') used += b.hours;
    else if (b.status === 'REQUESTED' || b.status === 'CONFIRMED') reserved += b.hours;
    else if (isBilledPenalty(b)) forfeited += b.hours;
  }
  return { total: totalHours, used, forfeited, reserved, available: Math.max(0, totalHours - used - forfeited - reserved) };
}

// ----------------------------------------------------------------------------------------------- validity

/**
 * « valables pour une durée de 3 mois à compter de la date d'achat » — the date of purchase being the payment
 * (SPEC): the same local time, N calendar months later in the business's time zone; a day that does not exist in
 * the target month is the month's last day (paid 31 Jan 10:00 → ends 30 Apr 10:00, Paris).
 */
export function expiryOf(paidAtMs: number, s: Pick<PackSettings, 'validityMonths' | 'validityOverrideMs' | 'timezone'>): number {
  if (s.validityOverrideMs) return paidAtMs + s.validityOverrideMs;
  return DateTime.fromMillis(paidAtMs, { zone: s.timezone }).plus({ months: s.validityMonths }).toMillis();
}

/** The payment deadline of an order, and when to remind the client of it. */
export function paymentDeadlineOf(orderedAtMs: number, s: Pick<PackSettings, 'paymentDeadlineMs' | 'paymentReminderBeforeMs'>) {
  const deadline = orderedAtMs + s.paymentDeadlineMs;
  return { deadline, reminderAt: deadline - s.paymentReminderBeforeMs };
}

// ----------------------------------------------------------------------------------------------- 24-hour rule

/**
 * « Toute demande d'annulation ou de report doit être faite au moins 24 heures avant l'heure convenue du
 * rendez-vous. Toute absence injustifiée ou annulation tardive entraînera la facturation intégrale de l'heure
 * prévue. » Measured in real elapsed time: exactly 24 h before is still free, across DST changes.
 * A request the provider has not yet confirmed has no « heure convenue »: withdrawing it is always free.
 * Cancellation by the provider never costs the client.
 */
export function cancellationIsBilled(args: {
  startMs: number;
  nowMs: number;
  status: BookingStatus;
  by: 'client' | 'provider';
  noticeMs: number;
}): boolean {
  if (args.by === 'provider') return false;
  if (args.status === 'REQUESTED') return false;
  return args.startMs - args.nowMs < args.noticeMs;
}

// ----------------------------------------------------------------------------------------------- withdrawal

/** `WITHDRAWAL_AFTER_START`: what a withdrawal within the period becomes once a session has started. */
export const WITHDRAWAL_AFTER_START = ['refused', 'prorata'] as const;
export type WithdrawalAfterStart = (typeof WITHDRAWAL_AFTER_START)[number];

/**
 * Whether a session had begun at `atMs`: from then on the CGV's withdrawal right is lost (« dès lors que le
 * rendez-vous a débuté »). `atMs` is now when the client withdraws from the portal, or the moment their statement
 * was received when the provider records a withdrawal sent by email or letter (L221-21): what happened after that
 * moment does not count, the contract having ended with the statement.
 */
export function sessionHasStarted(b: { status: BookingStatus; startMs: number }, atMs: number): boolean {
  return (b.status === 'HELD' || b.status === 'NO_SHOW' || b.status === 'CONFIRMED') && b.startMs <= atMs;
}

/** A session as the hour accounting of a withdrawal reads it. */
export interface ConsumptionBooking {
  status: BookingStatus;
  startMs: number;
  hours: number;
  penaltyWaived: boolean;
  /** When a LATE_CANCELLED session was billed (its late cancellation or late move). */
  billedAtMs?: number;
}

/**
 * Hours consumed at `atMs`, which a `prorata` withdrawal does not refund (L221-25: « un montant correspondant au
 * service fourni jusqu'à la communication de sa décision de se rétracter »). Consumed are:
 * - the hours of every session that had begun by then: held, under way, or missed by the client (NO_SHOW);
 * - the hours billed for a late cancellation or a late move made by then (the 24-hour rule: « facturation intégrale
 *   de l'heure prévue »).
 * Not consumed: hours still available, hours reserved for sessions not begun, sessions cancelled in time, declined
 * or cancelled by the provider, and a penalty the provider waived (a justified absence).
 */
export function consumedHoursAt(bookings: readonly ConsumptionBooking[], atMs: number): number {
  let consumed = 0;
  for (const b of bookings) {
    if (b.status === 'HELD' || b.status === 'CONFIRMED') {
      if (b.startMs <= atMs) consumed += b.hours;
    } else if (b.status === 'NO_SHOW') {
      if (!b.penaltyWaived && b.startMs <= atMs) consumed += b.hours;
    } else if (b.status === 'LATE_CANCELLED') {
      if (!b.penaltyWaived && (b.billedAtMs ?? b.startMs) <= atMs) consumed += b.hours;
    }
  }
  return consumed;
}

/**
 * What a withdrawal refunds: every cent kept for the pack (a surplus included) but the consumed hours at the pack's
 * hourly price (its price divided by its hours). The share kept is rounded down, in the client's favour, so the
 * refund is exactly the unconsumed hours' cents whenever the hourly price is a whole number of cents. With no hour
 * consumed, everything is refunded.
 */
export function withdrawalRefundCents(a: { priceCents: number; totalHours: number; keptCents: number; consumedHours: number }): number {
  const consumed = Math.min(Math.max(a.consumedHours, 0), a.totalHours);
  const owed = Math.floor((a.priceCents * consumed) / a.totalHours);
  return Math.max(0, a.keptCents - owed);
}

/**
 * Last moment (exclusive) to withdraw: the end of the 14th day after the order, in the business's time zone;
 * a period ending on a Saturday, Sunday or French public holiday runs to the end of the next working day
 * (Code de la consommation L221-18 and L221-19 with Code de procédure civile art. 641-642).
 */
export function withdrawalDeadlineOf(orderedAtMs: number, s: Pick<PackSettings, 'withdrawalDays' | 'timezone'>): number {
  let day = DateTime.fromMillis(orderedAtMs, { zone: s.timezone }).startOf('day').plus({ days: s.withdrawalDays });
  while (day.weekday >= 6 || isFrenchPublicHoliday(day.year, day.month, day.day)) day = day.plus({ days: 1 });
  return day.plus({ days: 1 }).startOf('day').toMillis();
}

export interface WithdrawalEligibility {
  allowed: boolean;
  /** ISO instant until which (exclusive) the withdrawal right lasts. */
  until: string;
  reason?: 'PERIOD_OVER' | 'SESSION_STARTED' | 'PACK_CLOSED';
  /** `prorata` only, when hours were consumed: they are not refunded (see `consumedHoursAt`). */
  consumedHours?: number;
}

/**
 * The client may withdraw within the period. Before any session has begun they are refunded in full. Once one has
 * begun, the CGV as written (`refused`, the default) allow no withdrawal: « dès lors que le rendez-vous a débuté […]
 * aucun remboursement, total ou partiel, ne sera accordé ». With `prorata` (L221-25), the withdrawal stands and the
 * hours not consumed are refunded; a pack whose hours were all consumed is fully performed and cannot be withdrawn
 * (L221-28 1°). Everything is judged at `nowMs`: now, or when the client's statement was received.
 */
export function withdrawalEligibility(args: {
  status: PackStatus;
  orderedAtMs: number;
  /** The moment judged: now, or when the client's statement was received (a withdrawal sent by email or letter). */
  nowMs: number;
  bookings: ReadonlyArray<{ status: BookingStatus; startMs: number } & Partial<ConsumptionBooking>>;
  settings: Pick<PackSettings, 'withdrawalDays' | 'timezone' | 'withdrawalAfterStart'>;
  /** The pack's hours (`prorata`: a pack whose hours were all consumed is fully performed). */
  totalHours?: number;
  /** withdrawalDeadlineOf(orderedAtMs, settings), when the caller already has it. */
  untilMs?: number;
}): WithdrawalEligibility {
  const untilMs = args.untilMs ?? withdrawalDeadlineOf(args.orderedAtMs, args.settings);
  const until = new Date(untilMs).toISOString();
  const prorata = args.settings.withdrawalAfterStart === 'prorata';
  if (args.status !== 'AWAITING_PAYMENT' && args.status !== 'ACTIVE') return { allowed: false, until, reason: 'PACK_CLOSED' };
  const started = args.bookings.some((b) => sessionHasStarted(b, args.nowMs));
  if (started && !prorata) return { allowed: false, until, reason: 'SESSION_STARTED' };
  if (args.nowMs >= untilMs) return { allowed: false, until, reason: 'PERIOD_OVER' };
  if (!prorata) return { allowed: true, until };
  const consumed = consumedHoursAt(
    args.bookings.map((b) => ({ hours: 0, penaltyWaived: false, ...b })),
    args.nowMs,
  );
  if (args.totalHours !== undefined && consumed >= args.totalHours)
    return { allowed: false, until, reason: 'SESSION_STARTED', consumedHours: consumed };
  return consumed > 0 ? { allowed: true, until, consumedHours: consumed } : { allowed: true, until };
}

/** L221-24: a withdrawal is refunded within 14 days of the day the seller learns of it. */
export const REFUND_DAYS = 14;
/** The provider is reminded of a refund to make by transfer this many days before it is due. */
export const REFUND_REMINDER_DAYS_BEFORE = 3;

/**
 * When a refund owed by bank transfer is due: by the end of the 14th day after the refund was owed — for a
 * withdrawal, the day the client's statement was received (L221-24, « au plus tard dans les quatorze jours à compter
 * de la date à laquelle il est informé de la décision du consommateur de se rétracter »); for any other money to give
 * back (a payment for a closed order, a partial payment of an order cancelled unpaid), the day it was decided, as
 * the client is told. Returned as the exclusive end (midnight after that day, in the business's time zone), and with
 * the moment the provider is reminded of it: 3 days before.
 */
export function refundDueOf(owedAtMs: number, s: Pick<PackSettings, 'timezone'>): { dueAtMs: number; remindAtMs: number } {
  const dueAtMs = DateTime.fromMillis(owedAtMs, { zone: s.timezone })
    .startOf('day')
    .plus({ days: REFUND_DAYS + 1 })
    .toMillis();
  return { dueAtMs, remindAtMs: refundReminderAt(dueAtMs, s) };
}

/** The provider's reminder of a refund due at `dueAtMs`: 3 calendar days before, in the business's time zone. */
export function refundReminderAt(dueAtMs: number, s: Pick<PackSettings, 'timezone'>): number {
  return DateTime.fromMillis(dueAtMs, { zone: s.timezone }).minus({ days: REFUND_REMINDER_DAYS_BEFORE }).toMillis();
}

/**
 * The instant a date the provider enters stands for: the day a transfer reached the account (as the bank dates it),
 * the day a client's withdrawal statement was received. An ISO date-time with its offset is that instant; a date
 * alone (`2027-01-18`) is the start of that day in the business's time zone — so it meets any deadline that falls
 * on that day — and no earlier than the order (received on the order's day means after it). Never in the future,
 * never before the order.
 */
export function receivedInstant(
  value: string,
  a: { orderedAtMs: number; nowMs: number; timezone: string },
): { ok: true; ms: number } | { ok: false; refusal: 'INVALID' | 'FUTURE' | 'BEFORE_ORDER' } {
  const v = value.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) {
    const day = DateTime.fromISO(v, { zone: a.timezone });
    if (!day.isValid) return { ok: false, refusal: 'INVALID' };
    const today = DateTime.fromMillis(a.nowMs, { zone: a.timezone }).toISODate()!;
    const orderDay = DateTime.fromMillis(a.orderedAtMs, { zone: a.timezone }).toISODate()!;
    if (v > today) return { ok: false, refusal: 'FUTURE' };
    if (v < orderDay) return { ok: false, refusal: 'BEFORE_ORDER' };
    return { ok: true, ms: Math.max(day.startOf('day').toMillis(), a.orderedAtMs) };
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(v)) return { ok: false, refusal: 'INVALID' };
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) return { ok: false, refusal: 'INVALID' };
  if (ms > a.nowMs) return { ok: false, refusal: 'FUTURE' };
  if (ms < a.orderedAtMs) return { ok: false, refusal: 'BEFORE_ORDER' };
  return { ok: true, ms };
}

/** French public holidays (jours fériés) of a year: fixed dates plus those that follow Easter. */
export function frenchPublicHolidays(year: number): string[] {
  const easter = easterSunday(year);
  const rel = (days: number) => easter.plus({ days }).toISODate()!;
  const fixed = ['01-01', '05-01', '05-08', '07-14', '08-15', '11-01', '11-11', '12-25'].map((md) => `${year}-${md}`);
  return [...fixed, rel(1) /* lundi de Pâques */, rel(39) /* Ascension */, rel(50) /* lundi de Pentecôte */].sort();
}

function isFrenchPublicHoliday(year: number, month: number, day: number): boolean {
  const iso = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  return frenchPublicHolidays(year).includes(iso);
}

/** Gregorian Easter Sunday (Meeus/Jones/Butcher algorithm). */
function easterSunday(year: number): DateTime {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return DateTime.utc(year, month, day);
}

// ----------------------------------------------------------------------------------------------- slots

/** The provider's published availability (SPEC, `PUT /api/admin/availability`). */
export interface Availability {
  timezone: string;
  /** Opening hours per ISO weekday (1 = Monday … 7 = Sunday), local "HH:MM". */
  weekly: Array<{ day: number; from: string; to: string }>;
  /** Dates that differ from the week: closed, or open only `from`–`to`. */
  exceptions: Array<{ date: string; closed?: boolean; from?: string; to?: string }>;
  minNoticeHours: number;
  /** Free time kept after each session before the next one can start. */
  bufferMinutes: number;
  /** Requests are confirmed without the provider's review. */
  autoConfirm: boolean;
}

export const DEFAULT_AVAILABILITY: Availability = {
  timezone: PARIS,
  weekly: [1, 2, 3, 4, 5].map((day) => ({ day, from: '09:00', to: '18:00' })),
  exceptions: [],
  minNoticeHours: 48,
  bufferMinutes: 15,
  autoConfirm: false,
};

/** Wall-clock length of one session of a pack: its hours plus, for the day pack, the break (« hors temps de pause »). */
export function sessionDurationMs(shape: { sessionHours: number; breakMinutes: number }): number {
  return shape.sessionHours * HOUR_MS + shape.breakMinutes * MINUTE_MS;
}

export type SlotRefusal = 'OUTSIDE_AVAILABILITY' | 'TOO_SOON' | 'AFTER_EXPIRY';

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
}

/** Opening windows of one local date, as [start, end) instants. */
export function windowsOn(dateIso: string, a: Pick<Availability, 'timezone' | 'weekly' | 'exceptions'>): Array<[number, number]> {
  const day = DateTime.fromISO(dateIso, { zone: a.timezone }).startOf('day');
  const exceptions = a.exceptions.filter((e) => e.date === dateIso);
  let spans: Array<{ from: string; to: string }>;
  if (exceptions.some((e) => e.closed)) spans = [];
  else if (exceptions.length > 0) spans = exceptions.filter((e) => e.from && e.to).map((e) => ({ from: e.from!, to: e.to! }));
  else spans = a.weekly.filter((w) => w.day === day.weekday);
  // Local wall-clock times: 09:00 is 09:00 in Paris on the 23- and 25-hour days of the DST changes too.
  const at = (hhmm: string) => {
    const m = minutesOf(hhmm);
    return m >= 24 * 60
      ? day.plus({ days: 1 }).startOf('day').toMillis()
      : day.set({ hour: Math.floor(m / 60), minute: m % 60 }).toMillis();
  };
  return spans
    .map((s): [number, number] => [at(s.from), at(s.to)])
    .filter(([from, to]) => to > from)
    .sort((x, y) => x[0] - y[0]);
}

/**
 * Whether a session starting at `startMs` may be requested (SPEC, "Booking"): inside the provider's opening hours
 * of that day, at least the minimum notice ahead, and ending before the pack expires. Overlaps with other sessions
 * (buffer included) are the calendar's to refuse, in the database, where concurrent requests meet.
 */
export function checkSlot(args: {
  startMs: number;
  durationMs: number;
  nowMs: number;
  expiresAtMs: number;
  availability: Availability;
}): SlotRefusal | null {
  const endMs = args.startMs + args.durationMs;
  if (endMs > args.expiresAtMs) return 'AFTER_EXPIRY';
  if (args.startMs - args.nowMs < args.availability.minNoticeHours * HOUR_MS) return 'TOO_SOON';
  const date = DateTime.fromMillis(args.startMs, { zone: args.availability.timezone }).toISODate()!;
  const inside = windowsOn(date, args.availability).some(([from, to]) => args.startMs >= from && endMs <= to);
  return inside ? null : 'OUTSIDE_AVAILABILITY';
}

/**
 * Free slots between `fromMs` and `toMs` for a session of `durationMs`: starts every `stepMinutes` from each
 * window's opening, that pass `checkSlot` and do not meet a busy range. Busy ranges already include the buffer
 * after each session; a candidate needs its own buffer free after it too.
 */
export function freeSlots(args: {
  fromMs: number;
  toMs: number;
  durationMs: number;
  nowMs: number;
  expiresAtMs: number;
  availability: Availability;
  busy: ReadonlyArray<[number, number]>;
  stepMinutes?: number;
  limit?: number;
}): Array<{ startMs: number; endMs: number }> {
  const step = (args.stepMinutes ?? 30) * MINUTE_MS;
  const buffer = args.availability.bufferMinutes * MINUTE_MS;
  const out: Array<{ startMs: number; endMs: number }> = [];
  const limit = args.limit ?? 500;
  let day = DateTime.fromMillis(args.fromMs, { zone: args.availability.timezone }).startOf('day');
  const lastDay = DateTime.fromMillis(args.toMs, { zone: args.availability.timezone }).startOf('day');
  for (let n = 0; day <= lastDay && n < 400 && out.length < limit; n++, day = day.plus({ days: 1 })) {
    for (const [open, close] of windowsOn(day.toISODate()!, args.availability)) {
      for (let start = open; start + args.durationMs <= close && out.length < limit; start += step) {
        const end = start + args.durationMs;
        if (start < args.fromMs || end > args.toMs) continue;
        if (
          checkSlot({
            startMs: start,
            durationMs: args.durationMs,
            nowMs: args.nowMs,
            expiresAtMs: args.expiresAtMs,
            availability: args.availability,
          })
        )
          continue;
        if (args.busy.some(([bs, be]) => start < be && end + buffer > bs)) continue;
        out.push({ startMs: start, endMs: end });
      }
    }
  }
  return out;
}
