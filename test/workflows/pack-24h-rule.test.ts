import { DateTime } from 'luxon';
import { cancelBooking, requestBooking, type BookingView } from '../../src/shared/pack';
import { createPackWorld, saveHistory, type PackWorld } from '../support/packs';
import { HOUR, MINUTE, SECOND } from '../support/time';

// « Toute demande d'annulation ou de report doit être faite au moins 24 heures avant l'heure convenue du
// rendez-vous » — in real elapsed time, across the DST changes of Europe/Paris. The server's clock also moves with
// real time, so "exactly 24h00" is reached to within a second: the pure rule is tested to the millisecond in
// test/unit/policy.test.ts.
const paris = (local: string) => DateTime.fromISO(local, { zone: 'Europe/Paris' }).toMillis();
/** The instant is the given Paris wall-clock time, give or take the second the clock moved in real time. */
const expectAtParis = (instant: number, local: string) => expect(Math.abs(instant - paris(local))).toBeLessThan(2 * SECOND);

describe('the 24-hour rule in the pack workflow', () => {
  let w: PackWorld;
  beforeAll(async () => {
    w = await createPackWorld();
  });
  afterAll(async () => {
    await w?.teardown();
  });

  async function sleepUntil(t: number): Promise<void> {
    const now = await w.now();
    if (t > now) await w.env.sleep(t - now);
  }

  async function cancelAt(h: Awaited<ReturnType<PackWorld['order']>>, b: BookingView, beforeStartMs: number) {
    await sleepUntil(Date.parse(b.start) - beforeStartMs);
    const res = await h.executeUpdate(cancelBooking, { args: [{ bookingId: b.id, by: 'client' }] });
    const cancelledAt = Date.parse(res.booking.history[res.booking.history.length - 1].at);
    return { ...res, elapsedBeforeStart: Date.parse(b.start) - cancelledAt, cancelledAt };
  }

  async function bookPack(sessions: string[]) {
    const h = await w.order({ packCode: 'PACK_1H', quantity: sessions.length });
    await w.pay(h);
    const bookings: BookingView[] = [];
    for (const local of sessions) {
      bookings.push((await h.executeUpdate(requestBooking, { args: [{ start: new Date(paris(local)).toISOString() }] })).booking);
    }
    return { h, bookings };
  }

  test('on an ordinary day: cancelling 24h00 before the start is free, 23h59 before is billed', async () => {
    await sleepUntil(paris('2027-01-10T12:00'));
    const { h, bookings } = await bookPack(['2027-02-10T10:00', '2027-02-10T14:00']);
    const free = await cancelAt(h, bookings[0], 24 * HOUR + 500);
    expect(free.penalty).toBe(false);
    expect(free.hoursReturned).toBe(1);
    expect(free.elapsedBeforeStart).toBeGreaterThanOrEqual(24 * HOUR);
    expect(free.elapsedBeforeStart).toBeLessThan(24 * HOUR + 2 * SECOND);

    const billed = await cancelAt(h, bookings[1], 23 * HOUR + 59 * MINUTE);
    expect(billed.penalty).toBe(true);
    expect(billed.booking.status).toBe('LATE_CANCELLED');
    expect((await w.state(h)).hours).toMatchObject({ total: 2, forfeited: 1, available: 1 });
  });

  test('across the March change (Sunday 28 March 2027): 24 real hours before a 10:00 session is 09:00 the day before', async () => {
    // Ordered on 10 January: valid until 10 April, so sessions on 28 March are within the pack.
    const { h, bookings } = await bookPack(['2027-03-28T10:00', '2027-03-28T15:00']);
    const free = await cancelAt(h, bookings[0], 24 * HOUR + 500);
    expect(free.penalty).toBe(false);
    expectAtParis(free.cancelledAt, '2027-03-27T09:00');

    // 23h59 of real time before 15:00 on the 28th is 14:01 on the 27th: the wall clock would say "24h59 before".
    const billed = await cancelAt(h, bookings[1], 23 * HOUR + 59 * MINUTE);
    expect(billed.penalty).toBe(true);
    expectAtParis(billed.cancelledAt, '2027-03-27T14:01');
    expect((await w.state(h)).hours).toMatchObject({ forfeited: 1, available: 1 });
    await saveHistory(w, h, 'dst-march-cancellations');
  });

  test('across the October change (Sunday 31 October 2027): 24 real hours before a 10:00 session is 11:00 the day before', async () => {
    await sleepUntil(paris('2027-08-20T12:00'));
    const { h, bookings } = await bookPack(['2027-10-31T10:00', '2027-10-31T15:00']);
    // 24 real hours before 10:00 on the 31st is 11:00 on the 30th: at 10:30 the wall clock says "23h30 before",
    // yet 24h30 elapse before the session: free.
    const free = await cancelAt(h, bookings[0], 24 * HOUR + 30 * MINUTE);
    expect(free.penalty).toBe(false);
    expectAtParis(free.cancelledAt, '2027-10-30T10:30');

    // 23h59 of real time before 15:00 on the 31st is 16:01 on the 30th: the wall clock would say "22h59 before".
    const billed = await cancelAt(h, bookings[1], 23 * HOUR + 59 * MINUTE);
    expect(billed.penalty).toBe(true);
    expectAtParis(billed.cancelledAt, '2027-10-30T16:01');
  });

  test('exactly at the October boundary: 24h00 before a 16:00 session (17:00 the day before, summer time) is free', async () => {
    const { h, bookings } = await bookPack(['2027-10-31T16:00']);
    const free = await cancelAt(h, bookings[0], 24 * HOUR + 500);
    expect(free.penalty).toBe(false);
    expect(free.elapsedBeforeStart).toBeGreaterThanOrEqual(24 * HOUR);
    expect(free.elapsedBeforeStart).toBeLessThan(24 * HOUR + 2 * SECOND);
    expectAtParis(free.cancelledAt, '2027-10-30T17:00');
  });
});
