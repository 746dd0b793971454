import { cancelBooking, requestBooking } from '../../src/shared/pack';
import { createPackWorld, refusal, DAY, HOUR, type PackWorld } from '../support/packs';

describe('pack workflow smoke', () => {
  let w: PackWorld;
  beforeAll(async () => {
    w = await createPackWorld();
  });
  afterAll(async () => {
    await w?.teardown();
  });

  test('order, payment pending refusal, payment, booking, free cancellation', async () => {
    const h = await w.order({ packCode: 'PACK_1H', quantity: 2 });
    const now = await w.now();
    const start = new Date(Math.ceil((now + 3 * DAY) / HOUR) * HOUR).toISOString();
    expect(await refusal(h.executeUpdate(requestBooking, { args: [{ start }] }))).toBe('PAYMENT_PENDING');
    const paid = await w.pay(h);
    expect(paid.status).toBe('ACTIVE');
    const { booking } = await h.executeUpdate(requestBooking, { args: [{ start }] });
    expect(booking.status).toBe('CONFIRMED');
    const res = await h.executeUpdate(cancelBooking, { args: [{ bookingId: booking.id, by: 'client' }] });
    expect(res.penalty).toBe(false);
    const s = await w.state(h);
    expect(s.hours).toEqual({ total: 2, used: 0, forfeited: 0, reserved: 0, available: 2 });
    await w.mailsSettled(s.packId);
    console.log(w.sink.messages.map((m) => `${m.to} ${m.subject}`));
  });
});
