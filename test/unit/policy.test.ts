/**
 * The terms of sale (CGV, ../shared/seed/cgv.fr.txt) and the SPEC's "Pack life", as executable specifications of
 * the pure rules in src/shared/policy.ts. Instants are built from Paris wall-clock times with luxon.
 */
import fc from 'fast-check';
import { DateTime } from 'luxon';
import {
  DAY_MS,
  DEFAULT_AVAILABILITY,
  DEFAULT_SETTINGS,
  HOUR_MS,
  MINUTE_MS,
  PARIS,
  cancellationIsBilled,
  checkSlot,
  expiryOf,
  freeSlots,
  frenchPublicHolidays,
  hoursOf,
  sessionDurationMs,
  windowsOn,
  withdrawalDeadlineOf,
  withdrawalEligibility,
  type Availability,
  type BookingHours,
  type BookingStatus,
  type PackStatus,
} from '../../src/shared/policy';

/** A Paris wall-clock time ('2027-03-28T10:00') as epoch milliseconds. */
const paris = (iso: string): number => {
  const dt = DateTime.fromISO(iso, { zone: PARIS });
  if (!dt.isValid) throw new Error(`invalid Paris time ${iso}`);
  return dt.toMillis();
};
/** Epoch milliseconds as a Paris wall-clock DateTime. */
const inParis = (ms: number): DateTime => DateTime.fromMillis(ms, { zone: PARIS });

const NOTICE = DEFAULT_SETTINGS.freeCancellationNoticeMs;
const ALL_BOOKING_STATUSES: BookingStatus[] = ['REQUESTED', 'CONFIRMED', 'DECLINED', 'CANCELLED', 'LATE_CANCELLED', 'NO_SHOW', 'HELD'];
/** Bounds for generated instants: 2026–2030. */
const MIN_DATE = new Date('2026-01-01T00:00:00Z');
const MAX_DATE = new Date('2030-12-31T00:00:00Z');

// =============================================================================================== 24-hour rule

describe('24-hour rule: « au moins 24 heures avant l’heure convenue »', () => {
  const start = paris('2027-01-13T10:00');
  const billed = (nowMs: number, over: Partial<Parameters<typeof cancellationIsBilled>[0]> = {}) =>
    cancellationIsBilled({ startMs: start, nowMs, status: 'CONFIRMED', by: 'client', noticeMs: NOTICE, ...over });

  test('the default notice is 24 hours of real time', () => {
    expect(NOTICE).toBe(24 * HOUR_MS);
  });

  test('cancelling exactly 24h00 before the start is free', () => {
    expect(billed(start - 24 * HOUR_MS)).toBe(false);
  });

  test('cancelling 23h59 before the start is billed', () => {
    expect(billed(start - 23 * HOUR_MS - 59 * MINUTE_MS)).toBe(true);
  });

  test('cancelling one millisecond less than 24h before the start is billed', () => {
    expect(billed(start - 24 * HOUR_MS + 1)).toBe(true);
  });

  test('cancelling days ahead is free', () => {
    expect(billed(start - 5 * DAY_MS)).toBe(false);
  });

  // Each row: the session's start, the wall-clock time of the instant exactly 24 h before, and a wall-clock time on
  // the previous day at the same hour as the start, which is not 24 h of real time away because of the DST change.
  test.each([
    // spring forward (2027-03-28 02:00 → 03:00): the day before the start is 23 h long
    { start: '2027-03-28T10:00', exactly24h: '2027-03-27T09:00', sameWallClock: '2027-03-27T10:00', sameWallClockBilled: true },
    { start: '2027-03-29T10:00', exactly24h: '2027-03-28T10:00', sameWallClock: '2027-03-28T10:00', sameWallClockBilled: false },
    { start: '2027-03-28T03:30', exactly24h: '2027-03-27T02:30', sameWallClock: '2027-03-27T03:30', sameWallClockBilled: true },
    // fall back (2027-10-31 03:00 → 02:00): the day before the start is 25 h long
    { start: '2027-10-31T10:00', exactly24h: '2027-10-30T11:00', sameWallClock: '2027-10-30T10:00', sameWallClockBilled: false },
    { start: '2027-11-01T10:00', exactly24h: '2027-10-31T10:00', sameWallClock: '2027-10-31T10:00', sameWallClockBilled: false },
  ])(
    'across the DST change, a session at $start Paris is free to cancel until $exactly24h Paris (real 24 h), billed a minute later',
    ({ start: startIso, exactly24h, sameWallClock, sameWallClockBilled }) => {
      const startMs = paris(startIso);
      const args = { startMs, status: 'CONFIRMED' as const, by: 'client' as const, noticeMs: NOTICE };
      expect(startMs - paris(exactly24h)).toBe(24 * HOUR_MS);
      expect(cancellationIsBilled({ ...args, nowMs: paris(exactly24h) })).toBe(false);
      expect(cancellationIsBilled({ ...args, nowMs: paris(exactly24h) + MINUTE_MS })).toBe(true);
      expect(cancellationIsBilled({ ...args, nowMs: paris(sameWallClock) })).toBe(sameWallClockBilled);
    },
  );

  test('a cancellation by the provider is never billed, even a minute before the start', () => {
    expect(billed(start - MINUTE_MS, { by: 'provider' })).toBe(false);
    expect(billed(start - MINUTE_MS, { by: 'provider', status: 'REQUESTED' })).toBe(false);
  });

  test('withdrawing an unconfirmed request (REQUESTED) late is not billed: there is no « heure convenue »', () => {
    expect(billed(start - MINUTE_MS, { status: 'REQUESTED' })).toBe(false);
  });

  test('the notice is a parameter: a 48 h notice bills a cancellation 47 h ahead', () => {
    expect(billed(start - 47 * HOUR_MS, { noticeMs: 48 * HOUR_MS })).toBe(true);
    expect(billed(start - 48 * HOUR_MS, { noticeMs: 48 * HOUR_MS })).toBe(false);
  });

  // The callers (PackModel.checkChangeable) only ever cancel or move REQUESTED or CONFIRMED bookings.
  test('property: for any start and now, a cancellation is billed iff by the client, CONFIRMED and less than 24 h ahead', () => {
    fc.assert(
      fc.property(
        fc.date({ min: MIN_DATE, max: MAX_DATE, noInvalidDate: true }),
        fc.integer({ min: -3 * DAY_MS, max: 3 * DAY_MS }),
        fc.constantFrom<'REQUESTED' | 'CONFIRMED'>('REQUESTED', 'CONFIRMED'),
        fc.constantFrom<'client' | 'provider'>('client', 'provider'),
        (startDate, aheadMs, status, by) => {
          const startMs = startDate.getTime();
          const nowMs = startMs - aheadMs;
          const expected = by === 'client' && status === 'CONFIRMED' && startMs - nowMs < 24 * HOUR_MS;
          expect(cancellationIsBilled({ startMs, nowMs, status, by, noticeMs: NOTICE })).toBe(expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});

// =============================================================================================== validity

describe('validity: « valables pour une durée de 3 mois à compter de la date d’achat »', () => {
  test('the default validity is 3 calendar months in Paris', () => {
    expect(DEFAULT_SETTINGS.validityMonths).toBe(3);
    expect(DEFAULT_SETTINGS.timezone).toBe(PARIS);
  });

  test.each([
    { paid: '2027-01-31T10:00', expires: '2027-04-30T10:00', why: 'day 31 missing in April: the last day of April' },
    { paid: '2027-11-30T10:00', expires: '2028-02-29T10:00', why: 'leap year: the last day of February 2028 is the 29th' },
    { paid: '2026-11-30T10:00', expires: '2027-02-28T10:00', why: 'common year: the last day of February 2027 is the 28th' },
    { paid: '2027-03-15T10:00', expires: '2027-06-15T10:00', why: 'same local time although the Paris offset changed (DST)' },
    { paid: '2027-08-15T10:00', expires: '2027-11-15T10:00', why: 'same local time across the return to winter time' },
    { paid: '2027-01-15T23:30', expires: '2027-04-15T23:30', why: 'late evening stays on the same local day' },
    { paid: '2027-10-10T00:15', expires: '2028-01-10T00:15', why: 'just after midnight, across a year end' },
  ])('paid $paid Paris → expires $expires Paris ($why)', ({ paid, expires }) => {
    expect(inParis(expiryOf(paris(paid), DEFAULT_SETTINGS)).toISO()).toBe(inParis(paris(expires)).toISO());
  });

  test('validity counts calendar months, not a fixed number of days', () => {
    const paid = paris('2027-01-31T10:00');
    expect(expiryOf(paid, DEFAULT_SETTINGS) - paid).not.toBe(90 * DAY_MS);
    expect(expiryOf(paid, { validityMonths: 1, timezone: PARIS })).toBe(paris('2027-02-28T10:00'));
  });

  test('a validity override (benchmarks only) is elapsed time from the payment', () => {
    const paid = paris('2027-01-31T10:00');
    expect(expiryOf(paid, { validityMonths: 3, validityOverrideMs: 5 * 60_000, timezone: PARIS })).toBe(paid + 5 * 60_000);
  });

  test('property: the expiry is after the payment, at the same Paris time of day, 3 Paris calendar months later', () => {
    fc.assert(
      fc.property(
        fc.date({ min: MIN_DATE, max: MAX_DATE, noInvalidDate: true }),
        // 04:00–23:00 local: avoids the 02:00–03:00 gap of the spring DST change on the target day
        fc.integer({ min: 4 * 60, max: 23 * 60 }),
        (date, minuteOfDay) => {
          const paidLocal = inParis(date.getTime())
            .startOf('day')
            .set({ hour: Math.floor(minuteOfDay / 60), minute: minuteOfDay % 60 });
          const paidMs = paidLocal.toMillis();
          const expiry = inParis(expiryOf(paidMs, DEFAULT_SETTINGS));
          expect(expiry.toMillis()).toBeGreaterThan(paidMs);
          expect([expiry.hour, expiry.minute]).toEqual([paidLocal.hour, paidLocal.minute]);
          expect(expiry.year * 12 + expiry.month - (paidLocal.year * 12 + paidLocal.month)).toBe(3);
          expect(expiry.day).toBe(Math.min(paidLocal.day, expiry.daysInMonth!));
        },
      ),
      { numRuns: 300 },
    );
  });
});

// =============================================================================================== withdrawal

describe('withdrawal (rétractation): 14 days from the order, before any session has begun', () => {
  const settings = DEFAULT_SETTINGS;
  const eligibility = (
    orderedAtMs: number,
    nowMs: number,
    bookings: Array<{ status: BookingStatus; startMs: number }> = [],
    status: PackStatus = 'ACTIVE',
  ) => withdrawalEligibility({ status, orderedAtMs, nowMs, bookings, settings });

  // Wednesday 6 January 2027, 15:00 Paris: day 14 is Wednesday 20 January, an ordinary working day.
  const ordered = paris('2027-01-06T15:00');
  const deadline = paris('2027-01-21T00:00');

  test('the default withdrawal period is 14 days', () => {
    expect(DEFAULT_SETTINGS.withdrawalDays).toBe(14);
  });

  test('an order placed on a Wednesday can be withdrawn until the end of the 14th day (exclusive end: start of day 15, Paris)', () => {
    expect(inParis(ordered).weekday).toBe(3);
    expect(withdrawalDeadlineOf(ordered, settings)).toBe(deadline);
  });

  test('the deadline does not depend on the time of day of the order', () => {
    expect(withdrawalDeadlineOf(paris('2027-01-06T00:00'), settings)).toBe(deadline);
    expect(withdrawalDeadlineOf(paris('2027-01-06T23:59'), settings)).toBe(deadline);
  });

  test('withdrawing 13 days after the order, with no session started, is allowed', () => {
    expect(eligibility(ordered, ordered + 13 * DAY_MS)).toEqual({ allowed: true, until: new Date(deadline).toISOString() });
  });

  test('withdrawing at the last millisecond of day 14 is allowed', () => {
    expect(eligibility(ordered, deadline - 1).allowed).toBe(true);
  });

  test('withdrawing at the start of day 15 is refused: PERIOD_OVER', () => {
    expect(eligibility(ordered, deadline)).toEqual({ allowed: false, until: new Date(deadline).toISOString(), reason: 'PERIOD_OVER' });
  });

  test('withdrawing 15 days after the order is refused: PERIOD_OVER', () => {
    expect(eligibility(ordered, ordered + 15 * DAY_MS)).toMatchObject({ allowed: false, reason: 'PERIOD_OVER' });
  });

  test('the answer states the deadline as an ISO instant', () => {
    expect(eligibility(ordered, ordered + DAY_MS).until).toBe('2027-01-20T23:00:00.000Z');
  });

  test.each([
    { booking: 'a CONFIRMED session whose start has passed', status: 'CONFIRMED' as const, startOffset: -HOUR_MS },
    { booking: 'a CONFIRMED session starting right now', status: 'CONFIRMED' as const, startOffset: 0 },
    { booking: 'a HELD session', status: 'HELD' as const, startOffset: -3 * HOUR_MS },
    { booking: 'a NO_SHOW session', status: 'NO_SHOW' as const, startOffset: -3 * HOUR_MS },
  ])('once $booking, withdrawal is refused on day 2: SESSION_STARTED', ({ status, startOffset }) => {
    const now = ordered + 2 * DAY_MS;
    expect(eligibility(ordered, now, [{ status, startMs: now + startOffset }])).toMatchObject({
      allowed: false,
      reason: 'SESSION_STARTED',
    });
  });

  test.each([
    { booking: 'a future CONFIRMED session', status: 'CONFIRMED' as const, startOffset: HOUR_MS },
    { booking: 'a REQUESTED session', status: 'REQUESTED' as const, startOffset: DAY_MS },
    { booking: 'a CANCELLED session', status: 'CANCELLED' as const, startOffset: -HOUR_MS },
    { booking: 'a DECLINED session', status: 'DECLINED' as const, startOffset: -HOUR_MS },
  ])('$booking does not block withdrawal', ({ status, startOffset }) => {
    const now = ordered + 2 * DAY_MS;
    expect(eligibility(ordered, now, [{ status, startMs: now + startOffset }])).toMatchObject({ allowed: true });
  });

  test('a started session is reported as SESSION_STARTED even after the period is over', () => {
    const now = ordered + 20 * DAY_MS;
    expect(eligibility(ordered, now, [{ status: 'HELD', startMs: ordered + 3 * DAY_MS }])).toMatchObject({ reason: 'SESSION_STARTED' });
  });

  test.each<PackStatus>(['EXPIRED', 'WITHDRAWN', 'USED_UP', 'CANCELLED_UNPAID'])(
    'a pack in status %s cannot be withdrawn: PACK_CLOSED',
    (status) => {
      expect(eligibility(ordered, ordered + DAY_MS, [], status)).toMatchObject({ allowed: false, reason: 'PACK_CLOSED' });
    },
  );

  test.each<PackStatus>(['AWAITING_PAYMENT', 'ACTIVE'])('a pack in status %s can be withdrawn within the period', (status) => {
    expect(eligibility(ordered, ordered + DAY_MS, [], status).allowed).toBe(true);
  });

  test.each([
    { ordered: '2027-01-09T10:00', day14: 'Saturday 23 January', deadline: '2027-01-26T00:00', lastDay: 'Monday 25 January' },
    { ordered: '2027-01-10T10:00', day14: 'Sunday 24 January', deadline: '2027-01-26T00:00', lastDay: 'Monday 25 January' },
    { ordered: '2027-06-30T10:00', day14: 'Wednesday 14 July (fête nationale)', deadline: '2027-07-16T00:00', lastDay: 'Thursday 15 July' },
    { ordered: '2027-04-22T10:00', day14: 'Thursday 6 May (Ascension)', deadline: '2027-05-08T00:00', lastDay: 'Friday 7 May' },
    {
      ordered: '2027-03-13T10:00',
      day14: 'Saturday 27 March, then Sunday, then Easter Monday',
      deadline: '2027-03-31T00:00',
      lastDay: 'Tuesday 30 March',
    },
    {
      ordered: '2027-12-11T10:00',
      day14: 'Saturday 25 December (Noël), then Sunday',
      deadline: '2027-12-28T00:00',
      lastDay: 'Monday 27 December',
    },
    {
      ordered: '2026-12-18T10:00',
      day14: 'Friday 1 January 2027 (jour de l’an), then the weekend',
      deadline: '2027-01-05T00:00',
      lastDay: 'Monday 4 January',
    },
  ])('a period whose day 14 is $day14 extends to the end of $lastDay', ({ ordered: orderedIso, deadline: deadlineIso }) => {
    expect(inParis(withdrawalDeadlineOf(paris(orderedIso), settings)).toISO()).toBe(inParis(paris(deadlineIso)).toISO());
  });

  test('property: the deadline is a Paris midnight ending a working day, at or after day 14, with only days off between', () => {
    fc.assert(
      fc.property(fc.date({ min: MIN_DATE, max: MAX_DATE, noInvalidDate: true }), (orderDate) => {
        const orderedAtMs = orderDate.getTime();
        const deadlineLocal = inParis(withdrawalDeadlineOf(orderedAtMs, settings));
        const isDayOff = (d: DateTime) => d.weekday >= 6 || frenchPublicHolidays(d.year).includes(d.toISODate()!);
        expect(deadlineLocal.toMillis()).toBe(deadlineLocal.startOf('day').toMillis());
        const lastDay = deadlineLocal.minus({ days: 1 });
        expect(isDayOff(lastDay)).toBe(false);
        const day14 = inParis(orderedAtMs).startOf('day').plus({ days: 14 });
        expect(lastDay.toMillis()).toBeGreaterThanOrEqual(day14.toMillis());
        for (let d = day14; d < lastDay; d = d.plus({ days: 1 })) expect(isDayOff(d)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  describe('French public holidays', () => {
    test.each([
      ['2027-01-01', 'jour de l’an'],
      ['2027-03-29', 'lundi de Pâques'],
      ['2027-05-01', 'fête du travail'],
      ['2027-05-06', 'Ascension'],
      ['2027-05-08', 'victoire 1945'],
      ['2027-05-17', 'lundi de Pentecôte'],
      ['2027-07-14', 'fête nationale'],
      ['2027-08-15', 'Assomption'],
      ['2027-11-01', 'Toussaint'],
      ['2027-11-11', 'armistice'],
      ['2027-12-25', 'Noël'],
    ])('2027 includes %s (%s)', (date) => {
      expect(frenchPublicHolidays(2027)).toContain(date);
    });

    test('there are 11 national public holidays a year', () => {
      expect(frenchPublicHolidays(2027)).toHaveLength(11);
      expect(new Set(frenchPublicHolidays(2028)).size).toBe(11);
    });

    test('Easter Sunday itself and Whit Sunday are not listed (they are Sundays anyway)', () => {
      expect(frenchPublicHolidays(2027)).not.toContain('2027-03-28');
      expect(frenchPublicHolidays(2027)).not.toContain('2027-05-16');
    });

    test.each([
      [2024, '2024-04-01'],
      [2025, '2025-04-21'],
      [2026, '2026-04-06'],
      [2028, '2028-04-17'],
      [2029, '2029-04-02'],
      [2030, '2030-04-22'],
    ])('Easter Monday %i is %s', (year, date) => {
      expect(frenchPublicHolidays(year)).toContain(date);
    });
  });
});

// =============================================================================================== hours

describe('hour accounting of a pack', () => {
  const booking = (status: BookingStatus, hours = 1, penaltyWaived = false): BookingHours => ({ status, hours, penaltyWaived });

  test.each<[string, BookingHours, { used: number; forfeited: number; reserved: number; available: number }]>([
    ['a HELD session counts as used', booking('HELD', 3), { used: 3, forfeited: 0, reserved: 0, available: 3 }],
    ['a REQUESTED session is reserved', booking('REQUESTED', 3), { used: 0, forfeited: 0, reserved: 3, available: 3 }],
    ['a CONFIRMED session is reserved', booking('CONFIRMED', 3), { used: 0, forfeited: 0, reserved: 3, available: 3 }],
    [
      'a LATE_CANCELLED session is forfeited (« facturation intégrale »)',
      booking('LATE_CANCELLED', 3),
      { used: 0, forfeited: 3, reserved: 0, available: 3 },
    ],
    ['a NO_SHOW session is forfeited', booking('NO_SHOW', 3), { used: 0, forfeited: 3, reserved: 0, available: 3 }],
    [
      'a LATE_CANCELLED session whose penalty was waived costs nothing',
      booking('LATE_CANCELLED', 3, true),
      { used: 0, forfeited: 0, reserved: 0, available: 6 },
    ],
    [
      'a NO_SHOW session whose penalty was waived costs nothing',
      booking('NO_SHOW', 3, true),
      { used: 0, forfeited: 0, reserved: 0, available: 6 },
    ],
    [
      'a CANCELLED session costs nothing (hours return to the pack)',
      booking('CANCELLED', 3),
      { used: 0, forfeited: 0, reserved: 0, available: 6 },
    ],
    ['a DECLINED session costs nothing', booking('DECLINED', 3), { used: 0, forfeited: 0, reserved: 0, available: 6 }],
  ])('%s', (_rule, b, expected) => {
    expect(hoursOf(6, [b])).toEqual({ total: 6, ...expected });
  });

  test('a pack without bookings has all its hours available', () => {
    expect(hoursOf(6, [])).toEqual({ total: 6, used: 0, forfeited: 0, reserved: 0, available: 6 });
  });

  test('hours left at expiry are lost: added to the forfeited hours', () => {
    expect(hoursOf(10, [booking('HELD', 4)], 6)).toEqual({ total: 10, used: 4, forfeited: 6, reserved: 0, available: 0 });
  });

  test('a mix of bookings adds up per category', () => {
    const bookings = [
      booking('HELD', 1),
      booking('HELD', 1),
      booking('NO_SHOW', 1),
      booking('NO_SHOW', 1, true),
      booking('LATE_CANCELLED', 1),
      booking('CONFIRMED', 1),
      booking('REQUESTED', 1),
      booking('CANCELLED', 1),
      booking('DECLINED', 1),
    ];
    expect(hoursOf(10, bookings)).toEqual({ total: 10, used: 2, forfeited: 2, reserved: 2, available: 4 });
  });

  test('available hours never go below zero', () => {
    expect(hoursOf(1, [booking('HELD', 1), booking('CONFIRMED', 1)]).available).toBe(0);
  });

  test('property: total = used + forfeited + reserved + available whenever the bookings do not exceed the total', () => {
    const arbBooking = fc.record({
      status: fc.constantFrom(...ALL_BOOKING_STATUSES),
      hours: fc.constantFrom(1, 3, 6),
      penaltyWaived: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.array(arbBooking, { maxLength: 12 }),
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: 0, max: 20 }),
        (bookings, lost, spare) => {
          const counted = bookings
            .filter(
              (b) =>
                ['HELD', 'REQUESTED', 'CONFIRMED'].includes(b.status) ||
                (['LATE_CANCELLED', 'NO_SHOW'].includes(b.status) && !b.penaltyWaived),
            )
            .reduce((sum, b) => sum + b.hours, 0);
          const total = counted + lost + spare;
          const h = hoursOf(total, bookings, lost);
          expect(h.total).toBe(total);
          expect(h.used + h.forfeited + h.reserved + h.available).toBe(total);
          expect(h.available).toBe(spare);
          expect(Math.min(h.used, h.forfeited, h.reserved, h.available)).toBeGreaterThanOrEqual(0);
        },
      ),
      { numRuns: 300 },
    );
  });
});

// =============================================================================================== slots

describe('slots: inside the provider’s opening hours, with notice, before expiry', () => {
  const availability: Availability = { ...DEFAULT_AVAILABILITY, weekly: [...DEFAULT_AVAILABILITY.weekly], exceptions: [] };
  const ONE_HOUR = sessionDurationMs({ sessionHours: 1, breakMinutes: 0 });
  // "now" is Monday 4 January 2027, 10:00 Paris; the pack expires long after.
  const now = paris('2027-01-04T10:00');
  const expiresAtMs = paris('2027-04-04T10:00');
  const check = (startIso: string, over: Partial<Parameters<typeof checkSlot>[0]> = {}) =>
    checkSlot({ startMs: paris(startIso), durationMs: ONE_HOUR, nowMs: now, expiresAtMs, availability, ...over });

  test('the default availability is Monday to Friday, 09:00–18:00 Paris, 48 h notice, 15 min buffer', () => {
    expect(DEFAULT_AVAILABILITY.timezone).toBe(PARIS);
    expect(DEFAULT_AVAILABILITY.weekly).toEqual([1, 2, 3, 4, 5].map((day) => ({ day, from: '09:00', to: '18:00' })));
    expect(DEFAULT_AVAILABILITY.minNoticeHours).toBe(48);
    expect(DEFAULT_AVAILABILITY.bufferMinutes).toBe(15);
  });

  describe('session duration', () => {
    test.each([
      { pack: 'the 1-hour pack', shape: { sessionHours: 1, breakMinutes: 0 }, expected: 1 * HOUR_MS },
      { pack: 'the half-day pack', shape: { sessionHours: 3, breakMinutes: 0 }, expected: 3 * HOUR_MS },
      {
        pack: 'the day pack (6 h « hors temps de pause » + 60 min break)',
        shape: { sessionHours: 6, breakMinutes: 60 },
        expected: 7 * HOUR_MS,
      },
    ])('a session of $pack lasts its hours plus its break', ({ shape, expected }) => {
      expect(sessionDurationMs(shape)).toBe(expected);
    });
  });

  describe('checkSlot', () => {
    test('a 1 h session on Monday at 10:00 Paris is accepted', () => {
      expect(check('2027-01-11T10:00')).toBeNull();
    });

    test('a session from opening (09:00) to closing (18:00) fits exactly', () => {
      expect(check('2027-01-11T09:00', { durationMs: 9 * HOUR_MS })).toBeNull();
    });

    test('a session ending exactly at closing time (17:00 + 1 h) is accepted', () => {
      expect(check('2027-01-11T17:00')).toBeNull();
    });

    test('a session on Saturday is refused: OUTSIDE_AVAILABILITY', () => {
      expect(check('2027-01-16T10:00')).toBe('OUTSIDE_AVAILABILITY');
    });

    test('a session on Sunday is refused: OUTSIDE_AVAILABILITY', () => {
      expect(check('2027-01-17T10:00')).toBe('OUTSIDE_AVAILABILITY');
    });

    test('a 1 h session starting at 17:30 runs past closing: OUTSIDE_AVAILABILITY', () => {
      expect(check('2027-01-11T17:30')).toBe('OUTSIDE_AVAILABILITY');
    });

    test('a session starting before opening (08:30) is refused: OUTSIDE_AVAILABILITY', () => {
      expect(check('2027-01-11T08:30')).toBe('OUTSIDE_AVAILABILITY');
    });

    test('a day-pack session (7 h) starting at 12:00 runs past closing: OUTSIDE_AVAILABILITY', () => {
      expect(check('2027-01-11T12:00', { durationMs: sessionDurationMs({ sessionHours: 6, breakMinutes: 60 }) })).toBe(
        'OUTSIDE_AVAILABILITY',
      );
      expect(check('2027-01-11T11:00', { durationMs: sessionDurationMs({ sessionHours: 6, breakMinutes: 60 }) })).toBeNull();
    });

    test('a start less than minNoticeHours ahead is refused: TOO_SOON', () => {
      // Wednesday 6 January 09:30 is 47 h 30 after now (Monday 10:00)
      expect(check('2027-01-06T09:30')).toBe('TOO_SOON');
      expect(check('2027-01-05T10:00')).toBe('TOO_SOON');
    });

    test('a start exactly minNoticeHours ahead is accepted', () => {
      expect(paris('2027-01-06T10:00') - now).toBe(48 * HOUR_MS);
      expect(check('2027-01-06T10:00')).toBeNull();
    });

    test('a start in the past is refused: TOO_SOON', () => {
      expect(check('2027-01-04T09:00')).toBe('TOO_SOON');
    });

    test('a session ending after the pack expires is refused: AFTER_EXPIRY', () => {
      expect(check('2027-01-11T10:00', { expiresAtMs: paris('2027-01-11T10:59') })).toBe('AFTER_EXPIRY');
    });

    test('a session ending exactly when the pack expires is accepted', () => {
      expect(check('2027-01-11T10:00', { expiresAtMs: paris('2027-01-11T11:00') })).toBeNull();
    });

    test('a date closed by an exception refuses every session of that date', () => {
      const closed: Availability = { ...availability, exceptions: [{ date: '2027-01-11', closed: true }] };
      expect(check('2027-01-11T10:00', { availability: closed })).toBe('OUTSIDE_AVAILABILITY');
      expect(check('2027-01-12T10:00', { availability: closed })).toBeNull();
      expect(windowsOn('2027-01-11', closed)).toEqual([]);
    });

    test('an exception with from/to replaces that date’s weekly hours', () => {
      const short: Availability = { ...availability, exceptions: [{ date: '2027-01-11', from: '13:00', to: '15:00' }] };
      expect(windowsOn('2027-01-11', short)).toEqual([[paris('2027-01-11T13:00'), paris('2027-01-11T15:00')]]);
      expect(check('2027-01-11T10:00', { availability: short })).toBe('OUTSIDE_AVAILABILITY');
      expect(check('2027-01-11T13:00', { availability: short })).toBeNull();
      expect(check('2027-01-11T14:00', { availability: short })).toBeNull();
      expect(check('2027-01-11T14:30', { availability: short })).toBe('OUTSIDE_AVAILABILITY');
      expect(check('2027-01-12T10:00', { availability: short })).toBeNull();
    });

    test('an exception with from/to can open a day that is closed in the week', () => {
      const saturday: Availability = { ...availability, exceptions: [{ date: '2027-01-16', from: '10:00', to: '12:00' }] };
      expect(check('2027-01-16T10:00', { availability: saturday })).toBeNull();
      expect(check('2027-01-16T11:30', { availability: saturday })).toBe('OUTSIDE_AVAILABILITY');
    });

    test('a date with several exception spans has several windows, in order', () => {
      const split: Availability = {
        ...availability,
        exceptions: [
          { date: '2027-01-11', from: '14:00', to: '16:00' },
          { date: '2027-01-11', from: '09:00', to: '11:00' },
        ],
      };
      expect(windowsOn('2027-01-11', split)).toEqual([
        [paris('2027-01-11T09:00'), paris('2027-01-11T11:00')],
        [paris('2027-01-11T14:00'), paris('2027-01-11T16:00')],
      ]);
      expect(check('2027-01-11T10:30', { availability: split })).toBe('OUTSIDE_AVAILABILITY');
    });
  });

  describe('opening hours hold in Paris local time across DST', () => {
    test.each([
      {
        date: '2027-03-26',
        when: 'the Friday before the March change (UTC+1)',
        open: '2027-03-26T08:00:00.000Z',
        close: '2027-03-26T17:00:00.000Z',
      },
      {
        date: '2027-03-29',
        when: 'the Monday just after the March change (UTC+2)',
        open: '2027-03-29T07:00:00.000Z',
        close: '2027-03-29T16:00:00.000Z',
      },
      {
        date: '2027-10-29',
        when: 'the Friday before the October change (UTC+2)',
        open: '2027-10-29T07:00:00.000Z',
        close: '2027-10-29T16:00:00.000Z',
      },
      {
        date: '2027-11-01',
        when: 'the Monday just after the October change (UTC+1)',
        open: '2027-11-01T08:00:00.000Z',
        close: '2027-11-01T17:00:00.000Z',
      },
    ])('on $date, $when, 09:00–18:00 Paris is $open–$close', ({ date, open, close }) => {
      expect(windowsOn(date, availability)).toEqual([[Date.parse(open), Date.parse(close)]]);
    });

    test('on the Monday after the March change, a session at 09:00 Paris (07:00Z) is accepted and 08:30 Paris is not', () => {
      const nowMarch = paris('2027-03-20T10:00');
      const args = { durationMs: ONE_HOUR, nowMs: nowMarch, expiresAtMs: paris('2027-06-01T00:00'), availability };
      expect(checkSlot({ ...args, startMs: Date.parse('2027-03-29T07:00:00Z') })).toBeNull();
      expect(checkSlot({ ...args, startMs: paris('2027-03-29T08:30') })).toBe('OUTSIDE_AVAILABILITY');
      expect(checkSlot({ ...args, startMs: paris('2027-03-29T17:00') })).toBeNull();
    });

    test.each(['2027-03-28', '2027-10-31'])(
      'on %s, the day of the change itself, Sunday hours 09:00–18:00 are 09:00–18:00 Paris',
      (date) => {
        const sundays = { ...availability, weekly: [{ day: 7, from: '09:00', to: '18:00' }] };
        expect(windowsOn(date, sundays)).toEqual([[paris(`${date}T09:00`), paris(`${date}T18:00`)]]);
        const args = {
          durationMs: ONE_HOUR,
          nowMs: paris('2027-03-01T10:00'),
          expiresAtMs: paris('2028-01-01T00:00'),
          availability: sundays,
        };
        expect(checkSlot({ ...args, startMs: paris(`${date}T09:00`) })).toBeNull();
        expect(checkSlot({ ...args, startMs: paris(`${date}T17:30`) })).toBe('OUTSIDE_AVAILABILITY');
      },
    );

    test('opening until 24:00 closes at the next local midnight, on a 25-hour day too', () => {
      const allDay = { ...availability, weekly: [{ day: 7, from: '00:00', to: '24:00' }] };
      expect(windowsOn('2027-10-31', allDay)).toEqual([[paris('2027-10-31T00:00'), paris('2027-11-01T00:00')]]);
    });
  });

  describe('freeSlots', () => {
    const BUFFER = availability.bufferMinutes * MINUTE_MS;
    const monday = '2027-01-11';
    const slotsOn = (busy: Array<[number, number]>, over: Partial<Parameters<typeof freeSlots>[0]> = {}) =>
      freeSlots({
        fromMs: paris(`${monday}T00:00`),
        toMs: paris('2027-01-12T00:00'),
        durationMs: ONE_HOUR,
        nowMs: now,
        expiresAtMs,
        availability,
        busy,
        ...over,
      });
    const startsOf = (slots: Array<{ startMs: number }>) => slots.map((s) => inParis(s.startMs).toFormat('HH:mm'));

    test('a free Monday offers 1 h slots every 30 min from 09:00 to 17:00', () => {
      const slots = slotsOn([]);
      expect(startsOf(slots)).toEqual([
        '09:00',
        '09:30',
        '10:00',
        '10:30',
        '11:00',
        '11:30',
        '12:00',
        '12:30',
        '13:00',
        '13:30',
        '14:00',
        '14:30',
        '15:00',
        '15:30',
        '16:00',
        '16:30',
        '17:00',
      ]);
      for (const s of slots) expect(s.endMs - s.startMs).toBe(ONE_HOUR);
    });

    test('a busy range (a session and its buffer) removes the slots that meet it or leave no buffer before it', () => {
      // session 14:00–15:00 plus its 15 min buffer
      const slots = slotsOn([[paris(`${monday}T14:00`), paris(`${monday}T15:15`)]]);
      expect(startsOf(slots)).toEqual([
        '09:00',
        '09:30',
        '10:00',
        '10:30',
        '11:00',
        '11:30',
        '12:00',
        '12:30',
        '15:30',
        '16:00',
        '16:30',
        '17:00',
      ]);
    });

    test('a slot may end exactly one buffer before a busy range', () => {
      const slots = slotsOn([[paris(`${monday}T11:15`), paris(`${monday}T12:00`)]]);
      expect(startsOf(slots)).toContain('10:00');
      expect(startsOf(slots)).not.toContain('10:30');
    });

    test('the step is 30 minutes by default and can be changed', () => {
      expect(startsOf(slotsOn([])).slice(0, 3)).toEqual(['09:00', '09:30', '10:00']);
      expect(startsOf(slotsOn([], { stepMinutes: 60 }))).toEqual([
        '09:00',
        '10:00',
        '11:00',
        '12:00',
        '13:00',
        '14:00',
        '15:00',
        '16:00',
        '17:00',
      ]);
    });

    test('no slot is offered on a weekend, before the minimum notice, or ending after expiry', () => {
      const slots = freeSlots({
        fromMs: paris('2027-01-04T00:00'),
        toMs: paris('2027-01-18T00:00'),
        durationMs: ONE_HOUR,
        nowMs: now,
        expiresAtMs: paris('2027-01-14T12:00'),
        availability,
        busy: [],
      });
      expect(slots.length).toBeGreaterThan(0);
      expect(inParis(slots[0].startMs).toISO()).toBe(inParis(paris('2027-01-06T10:00')).toISO());
      expect(Math.max(...slots.map((s) => s.endMs))).toBe(paris('2027-01-14T12:00'));
      for (const s of slots) expect(inParis(s.startMs).weekday).toBeLessThanOrEqual(5);
    });

    test('the number of slots is capped by limit', () => {
      expect(slotsOn([], { limit: 3 })).toHaveLength(3);
    });

    test('property: free slots never meet a busy range nor its buffer, all pass checkSlot, and none is missing', () => {
      // Thursday to Monday (a weekend inside), the minimum notice running out on Friday at 12:00
      const fromMs = paris('2027-01-14T00:00');
      const toMs = paris('2027-01-19T00:00');
      const nowMs = paris('2027-01-13T12:00');
      const arbBusy = fc
        .tuple(fc.integer({ min: 0, max: (5 * 24 * 60) / 15 }), fc.integer({ min: 2, max: 32 }))
        .map(([start15, len15]): [number, number] => [fromMs + start15 * 15 * MINUTE_MS, fromMs + (start15 + len15) * 15 * MINUTE_MS]);
      fc.assert(
        fc.property(
          fc.array(arbBusy, { maxLength: 8 }),
          fc.constantFrom(ONE_HOUR, 3 * HOUR_MS, 7 * HOUR_MS),
          fc.integer({ min: 0, max: 6 * 24 }),
          (busy, durationMs, expiryHours) => {
            const expires = fromMs + expiryHours * HOUR_MS;
            const slots = freeSlots({ fromMs, toMs, durationMs, nowMs, expiresAtMs: expires, availability, busy });
            const conflicts = (start: number, end: number) => busy.some(([bs, be]) => start < be && end + BUFFER > bs);
            for (const s of slots) {
              expect(s.endMs - s.startMs).toBe(durationMs);
              expect(s.startMs).toBeGreaterThanOrEqual(fromMs);
              expect(s.endMs).toBeLessThanOrEqual(toMs);
              expect(checkSlot({ startMs: s.startMs, durationMs, nowMs, expiresAtMs: expires, availability })).toBeNull();
              for (const [bs, be] of busy) expect(s.startMs >= be || s.endMs + BUFFER <= bs).toBe(true);
              expect((s.startMs - paris(`${inParis(s.startMs).toISODate()}T09:00`)) % (30 * MINUTE_MS)).toBe(0);
            }
            for (let i = 1; i < slots.length; i++) expect(slots[i].startMs).toBeGreaterThan(slots[i - 1].startMs);
            // completeness: every 30-min step from opening that is acceptable and free is offered
            const offered = new Set(slots.map((s) => s.startMs));
            for (let d = inParis(fromMs); d.toMillis() < toMs; d = d.plus({ days: 1 })) {
              for (const [open, close] of windowsOn(d.toISODate()!, availability)) {
                for (let start = open; start + durationMs <= close; start += 30 * MINUTE_MS) {
                  const acceptable = checkSlot({ startMs: start, durationMs, nowMs, expiresAtMs: expires, availability }) === null;
                  expect(offered.has(start)).toBe(acceptable && !conflicts(start, start + durationMs));
                }
              }
            }
          },
        ),
        { numRuns: 100 },
      );
    });
  });
});
