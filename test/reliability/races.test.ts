import request from 'supertest';
import { cancelBooking, reportNoShow, requestBooking } from '../../src/shared/pack';
import { asClient, paidPack } from '../support/api';
import { createGatewayWorld, type GatewayWorld } from '../support/gateway';
import { createPackWorld, freeHour, refusal, timeline, type PackWorld } from '../support/packs';
import { DAY, MINUTE, SECOND, hourAfter } from '../support/time';
import { until } from '../support/until';

// Races: many clients at once through the real gateway; a client and the provider at once on one pack.
describe('races through the gateway', () => {
  let w: GatewayWorld;
  beforeAll(async () => {
    w = await createGatewayWorld();
  });
  afterAll(async () => {
    await w?.teardown();
  });

  test('10 clients booking the same slot at once: exactly one wins, the 9 others get SLOT_UNAVAILABLE', async () => {
    const packs = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        paidPack(w, { quantity: 2, customer: { name: `Client ${i}`, email: `race${i}.${Date.now()}@example.org` } }),
      ),
    );
    const start = hourAfter(Date.now(), 5 * DAY);
    const answers = await Promise.all(
      packs.map((p) => asClient(p.token)(request(w.app).post(`/api/packs/${p.packId}/bookings`)).send({ start })),
    );
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    const losers = answers.filter((a) => a.status !== 201);
    expect(losers.map((a) => [a.status, a.body.error.code])).toEqual(Array(9).fill([409, 'SLOT_UNAVAILABLE']));
    const held = await w.db.prisma.$queryRaw<
      Array<{ n: bigint }>
    >`SELECT count(*) AS n FROM calendar_slot WHERE released_at IS NULL AND lower(during) = ${new Date(start)}::timestamptz`;
    expect(Number(held[0].n)).toBe(1);
  });
});

// The client's cancellation and the provider's no-show cross each other on a session that has just begun. Its start
// must really have passed on the workflow's clock: on the time-skipping server, the test moves the clock past it
// (on the dev server that would mean waiting in real time for the next whole minute).
describe('a client cancelling while the provider reports a no-show, just after the start', () => {
  let w: PackWorld;
  beforeAll(async () => {
    w = await createPackWorld();
  });
  afterAll(async () => {
    await w?.teardown();
  });

  test('both at once: the no-show wins, the late cancellation is refused with BOOKING_NOT_CANCELLABLE, the hour is billed once', async () => {
    const h = await w.order({ quantity: 2 });
    const { packId } = await w.pay(h);
    const { booking } = await h.executeUpdate(requestBooking, { args: [{ start: await freeHour(w, 30 * MINUTE, 2 * MINUTE) }] });
    await w.env.sleep(Date.parse(booking.start) - (await w.now()) + 30 * SECOND);
    await w.until(h, (s) => s.nextTimers.every((t) => t.kind !== 'SESSION_START'), 'the session to have begun');

    // Fired together: whichever the workflow takes first, the rules leave one outcome.
    const cancel = h.executeUpdate(cancelBooking, { args: [{ bookingId: booking.id, by: 'client' }] });
    const noShow = h.executeUpdate(reportNoShow, { args: [{ bookingId: booking.id }] });
    const [cancelled, reported] = await Promise.allSettled([cancel, noShow]);
    expect(reported).toMatchObject({ status: 'fulfilled', value: { booking: { id: booking.id, status: 'NO_SHOW' } } });
    expect(cancelled.status).toBe('rejected');
    expect(await refusal(cancel)).toBe('BOOKING_NOT_CANCELLABLE');

    const s = await w.state(h);
    expect(s.hours).toMatchObject({ total: 2, forfeited: 1, reserved: 0, available: 1 });
    expect(s.bookings.map((b) => b.status)).toEqual(['NO_SHOW']);
    // Billed once in the pack's record too, once the recording of the no-show is in: one NO_SHOW in its timeline, no
    // billed cancellation, one forfeited hour.
    await until(
      () => timeline(w, packId),
      (events) => events.includes('NO_SHOW'),
      'the no-show in the timeline',
    );
    await w.mailsSettled(packId);
    const billed = (await timeline(w, packId)).filter((e) => e === 'NO_SHOW' || e === 'BOOKING_CANCELLED_BILLED');
    expect(billed).toEqual(['NO_SHOW']);
    expect(await w.db.prisma.pack.findUniqueOrThrow({ where: { id: packId } })).toMatchObject({ hoursForfeited: 1, hoursAvailable: 1 });
  });
});
