import request from 'supertest';
import { CONSENTS } from '../support/packs';
import { checkoutCompleted, createGatewayWorld, PROVIDER_TOKEN, type GatewayWorld } from '../support/gateway';

// Races through the real gateway: many clients at once, a client and the provider at once.
const HOUR = 3_600_000;

describe('races', () => {
  let w: GatewayWorld;
  beforeAll(async () => {
    w = await createGatewayWorld();
  });
  afterAll(async () => {
    await w?.teardown();
  });

  const paidPack = async (i: number) => {
    const res = await request(w.app)
      .post('/api/orders')
      .send({
        packCode: 'PACK_1H',
        quantity: 2,
        customer: { name: `Client ${i}`, email: `race${i}.${Date.now()}@example.org` },
        paymentMethod: 'card',
        consents: CONSENTS,
      });
    const { payload, header } = w.signed(checkoutCompleted(res.body.packId, 18_000));
    await request(w.app).post('/webhooks/stripe').set('stripe-signature', header).set('content-type', 'application/json').send(payload);
    for (let k = 0; k < 100; k++) {
      const s = await request(w.app).get(`/api/packs/${res.body.packId}`).set('authorization', `Bearer ${res.body.accessToken}`);
      if (s.body.status === 'ACTIVE') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    return { packId: res.body.packId as string, token: res.body.accessToken as string };
  };

  test('10 clients booking the same slot at once: exactly one wins, the 9 others get SLOT_UNAVAILABLE', async () => {
    const packs = await Promise.all(Array.from({ length: 10 }, (_, i) => paidPack(i)));
    const start = new Date(Math.ceil((Date.now() + 5 * 24 * HOUR) / HOUR) * HOUR).toISOString();
    const answers = await Promise.all(
      packs.map((p) => request(w.app).post(`/api/packs/${p.packId}/bookings`).set('authorization', `Bearer ${p.token}`).send({ start })),
    );
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    const losers = answers.filter((a) => a.status !== 201);
    expect(losers.map((a) => [a.status, a.body.error.code])).toEqual(Array(9).fill([409, 'SLOT_UNAVAILABLE']));
    const held = await w.db.prisma.$queryRaw<
      Array<{ n: bigint }>
    >`SELECT count(*) AS n FROM calendar_slot WHERE released_at IS NULL AND lower(during) = ${new Date(start)}::timestamptz`;
    expect(Number(held[0].n)).toBe(1);
  });

  test('a client cancelling while the provider reports a no-show: one of them wins, the session is billed at most once', async () => {
    const p = await paidPack(99);
    // A session about to start: the client's cancellation (late) and the provider's no-show cross each other.
    await request(w.app)
      .put('/api/admin/availability')
      .set('authorization', `Bearer ${PROVIDER_TOKEN}`)
      .send({
        timezone: 'Europe/Paris',
        weekly: [1, 2, 3, 4, 5, 6, 7].map((day) => ({ day, from: '00:00', to: '24:00' })),
        exceptions: [],
        minNoticeHours: 0,
        bufferMinutes: 0,
        autoConfirm: true,
      });
    const start = new Date(Math.ceil((Date.now() + 2 * 60_000) / 60_000) * 60_000 + 2 * HOUR).toISOString();
    const { booking } = (
      await request(w.app).post(`/api/packs/${p.packId}/bookings`).set('authorization', `Bearer ${p.token}`).send({ start })
    ).body;
    const [cancel, noShow] = await Promise.all([
      request(w.app).post(`/api/packs/${p.packId}/bookings/${booking.id}/cancel`).set('authorization', `Bearer ${p.token}`),
      request(w.app).post(`/api/admin/packs/${p.packId}/bookings/${booking.id}/no-show`).set('authorization', `Bearer ${PROVIDER_TOKEN}`),
    ]);
    // Before the start, the no-show is refused; the cancellation (late) bills the hour once.
    expect(cancel.status).toBe(200);
    expect([noShow.status, noShow.body.error.code]).toEqual([409, 'BOOKING_NOT_CANCELLABLE']);
    const s = await request(w.app).get(`/api/packs/${p.packId}`).set('authorization', `Bearer ${p.token}`);
    expect(s.body.hours).toMatchObject({ forfeited: 1, available: 1, reserved: 0 });
    expect(s.body.bookings[0].status).toBe('LATE_CANCELLED');
  });
});
