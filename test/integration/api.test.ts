import request from 'supertest';
import { signPackToken, verifyPackToken } from '../../src/infra/tokens';
import { asClient as as, asProvider as admin, packUntil, paidPack as paidThroughStripe, placeOrder, postStripeEvent } from '../support/api';
import { CONSENTS, OPEN_ALL_THE_TIME } from '../support/packs';
import { checkoutCompleted, checkoutSessionOf, createGatewayWorld, type GatewayWorld } from '../support/gateway';
import { DAY, HOUR, hourAfter } from '../support/time';
import { until } from '../support/until';

// The JSON API of the SPEC's contract, on the real stack: Temporal dev server, worker, PostgreSQL, stripe-mock, SMTP.

describe('JSON API', () => {
  let w: GatewayWorld;
  beforeAll(async () => {
    w = await createGatewayWorld();
  });
  afterAll(async () => {
    await w?.teardown();
  });

  /** Three hours of the hourly pack, by transfer, unless `body` says otherwise. */
  const order = (body: Record<string, unknown> = {}, key?: string) => placeOrder(w, { quantity: 3, ...body }, key);
  /** A paid pack and its client token, paid by a signed Stripe webhook. */
  const paidPack = (body: Record<string, unknown> = {}) => paidThroughStripe(w, { quantity: 3, ...body });
  let hourOffset = 0;
  /** Whole hours in the future that no other test of this file uses. */
  const nextStart = (daysAhead = 3) =>
    new Date(Math.ceil((Date.now() + daysAhead * DAY) / HOUR) * HOUR + (hourOffset++ % 200) * 2 * HOUR).toISOString();

  test('a flood of GET /health opens one SMTP conversation and one check of each service, not one per hit', async () => {
    const smtp = jest.spyOn(w.app.ctx.mailer, 'verify');
    try {
      const answers = await Promise.all(Array.from({ length: 50 }, () => request(w.app).get('/health')));
      expect(new Set(answers.map((a) => a.status))).toEqual(new Set([200]));
      expect(answers[0].body).toEqual({ status: 'ok' });
      expect(smtp.mock.calls.length).toBeLessThanOrEqual(1);
    } finally {
      smtp.mockRestore();
    }
  });

  test('GET /api/catalog lists the three packs with their prices', async () => {
    const res = await request(w.app).get('/api/catalog');
    expect(res.status).toBe(200);
    expect(res.body.packs.map((p: { code: string }) => p.code)).toEqual(['PACK_1H', 'PACK_HALF_DAY', 'PACK_DAY']);
    expect(res.body.packs[1]).toMatchObject({ hours: 3, sessionHours: 3, currency: 'EUR' });
  });

  test('an order without every acknowledgment ticked is refused with VALIDATION_FAILED and stores nothing', async () => {
    const before = await w.db.prisma.pack.count();
    const res = await order({ consents: { ...CONSENTS, withdrawalWaiver: false } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.message).toContain('withdrawalWaiver');
    expect(await w.db.prisma.pack.count()).toBe(before);
  });

  test('a bank-transfer order answers 201 with the IBAN, a unique reference, the amount and the deadline, and stores the consents', async () => {
    const body = { customer: { name: 'Léa Moreau', email: 'lea.virement@example.org' } };
    const res = await order(body, 'order-transfer-0001');
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      status: 'AWAITING_PAYMENT',
      bankTransfer: { amountCents: 27_000, iban: expect.any(String), reference: expect.stringMatching(/^IMG-/) },
    });
    expect(Date.parse(res.body.bankTransfer.deadline) - Date.now()).toBeGreaterThan(6.9 * DAY);
    const consents = await w.db.prisma.consent.findMany({ where: { packId: res.body.packId } });
    expect(consents.map((c) => c.kind).sort()).toEqual(['cgv', 'equipment', 'skills', 'websiteConditions', 'withdrawalWaiver']);
    expect(consents[0]).toMatchObject({
      ip: expect.any(String),
      userAgent: expect.any(String),
      cgvVersion: expect.stringMatching(/^[0-9a-f]{16}$/),
    });
    // The same request again (same Idempotency-Key) is the same order.
    const again = await order(body, 'order-transfer-0001');
    expect(again.status).toBe(200);
    expect(again.body.orderId).toBe(res.body.orderId);
  });

  test('a name holding a web or e-mail address is refused in French (the order’s email would carry it to anyone); initials are fine', async () => {
    for (const name of ['Gagnez un iPhone sur http://evil.example', 'www.evil.example', 'Promo evil.example', 'contact@evil.example']) {
      const res = await order({ customer: { name, email: 'victime@example.org' } });
      expect([name, res.status, res.body.error?.code, res.body.error?.message]).toEqual([
        name,
        400,
        'VALIDATION_FAILED',
        expect.stringContaining('Votre nom ne peut pas contenir d’adresse web ou e-mail.'),
      ]);
    }
    expect(await w.db.prisma.customer.count({ where: { email: 'victime@example.org' } })).toBe(0);
    expect((await order({ customer: { name: 'J. R. R. Tolkien', email: 'jrr@example.org' } })).status).toBe(201);
  });

  test('an Idempotency-Key already used with another body is refused: no one gets another client’s order, nor a token for it', async () => {
    const first = await order({ customer: { name: 'Alice Premiere', email: 'alice.cle@example.org' } }, 'order-key-taken-0001');
    expect(first.status).toBe(201);
    const packs = await w.db.prisma.pack.count();
    const replay = await order({ customer: { name: 'Mallory Intrus', email: 'mallory@example.org' } }, 'order-key-taken-0001');
    expect([replay.status, replay.body.error?.code]).toEqual([409, 'IDEMPOTENCY_KEY_REUSED']);
    expect(replay.body.accessToken).toBeUndefined();
    expect(JSON.stringify(replay.body)).not.toContain(first.body.packId);
    expect(await w.db.prisma.pack.count()).toBe(packs);
    // The same body again is the same client's retry: the same order.
    const retry = await order({ customer: { name: 'Alice Premiere', email: 'ALICE.cle@example.org' } }, 'order-key-taken-0001');
    expect([retry.status, retry.body.packId]).toEqual([200, first.body.packId]);
  });

  test('a card order creates a Stripe Checkout session (against stripe-mock) and answers its URL — locally the simulated checkout page', async () => {
    const res = await order({ paymentMethod: 'card', packCode: 'PACK_HALF_DAY', quantity: undefined });
    expect(res.status).toBe(201);
    expect(res.body.checkoutUrl).toBe(
      `${w.baseUrl}/dev/paiement-simule?session=${(await w.db.prisma.pack.findUniqueOrThrow({ where: { id: res.body.packId } })).checkoutSessionId}&pack=${res.body.packId}`,
    );
    expect((await w.db.prisma.pack.findUniqueOrThrow({ where: { id: res.body.packId } })).checkoutSessionId).toMatch(/^cs_/);
  });

  test('a pack is read with its own token only: none → 401 UNAUTHORIZED, another pack’s → 404 NOT_FOUND, tampered → 401', async () => {
    const a = await order();
    const b = await order();
    expect((await request(w.app).get(`/api/packs/${a.body.packId}`)).body.error.code).toBe('UNAUTHORIZED');
    const cross = await as(b.body.accessToken)(request(w.app).get(`/api/packs/${a.body.packId}`));
    expect([cross.status, cross.body.error.code]).toEqual([404, 'NOT_FOUND']);
    const tampered = `${a.body.accessToken.slice(0, -2)}xx`;
    expect((await as(tampered)(request(w.app).get(`/api/packs/${a.body.packId}`))).status).toBe(401);
    const own = await as(a.body.accessToken)(request(w.app).get(`/api/packs/${a.body.packId}`));
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ status: 'AWAITING_PAYMENT', hours: { total: 3, available: 3 }, withdrawal: { allowed: true } });
  });

  test('booking before payment → 409 PAYMENT_PENDING', async () => {
    const a = await order();
    const res = await as(a.body.accessToken)(request(w.app).post(`/api/packs/${a.body.packId}/bookings`)).send({ start: nextStart() });
    expect([res.status, res.body.error.code]).toEqual([409, 'PAYMENT_PENDING']);
  });

  test('a signed checkout.session.completed pays the pack; the same event again is a no-op; unsigned or forged events are refused', async () => {
    const a = await order({ paymentMethod: 'card' });
    const event = checkoutCompleted(a.body.packId, 27_000, { sessionId: await checkoutSessionOf(w, a.body.packId) });
    const { payload, header } = w.signed(event);
    expect((await request(w.app).post('/webhooks/stripe').set('content-type', 'application/json').send(payload)).status).toBe(400);
    const forged = w.signed(event, { secret: 'whsec_wrong' });
    expect(
      (
        await request(w.app)
          .post('/webhooks/stripe')
          .set('stripe-signature', forged.header)
          .set('content-type', 'application/json')
          .send(payload)
      ).status,
    ).toBe(400);
    const stale = w.signed(event, { timestamp: Math.floor(Date.now() / 1000) - 3600 });
    expect(
      (
        await request(w.app)
          .post('/webhooks/stripe')
          .set('stripe-signature', stale.header)
          .set('content-type', 'application/json')
          .send(stale.payload)
      ).status,
    ).toBe(400);
    const first = await request(w.app)
      .post('/webhooks/stripe')
      .set('stripe-signature', header)
      .set('content-type', 'application/json')
      .send(payload);
    expect(first.body).toMatchObject({ received: true, outcome: 'PROCESSED' });
    const replay = await request(w.app)
      .post('/webhooks/stripe')
      .set('stripe-signature', header)
      .set('content-type', 'application/json')
      .send(payload);
    expect(replay.body).toMatchObject({ received: true, duplicate: true });
    const s = await until(
      () => as(a.body.accessToken)(request(w.app).get(`/api/packs/${a.body.packId}`)),
      (r) => r.body.status === 'ACTIVE',
      'payment',
    );
    expect(s.body.payments).toHaveLength(1);
    expect(s.body.paidCents).toBe(27_000);
  });

  test('webhooks out of order or repeated under new ids: a payment counts once, an expiry after payment changes nothing', async () => {
    const a = await order({ paymentMethod: 'card' });
    const pack = { packId: a.body.packId as string, token: a.body.accessToken as string };
    const paid = checkoutCompleted(pack.packId, 27_000, {
      paymentIntent: 'pi_out_of_order_1',
      sessionId: await checkoutSessionOf(w, pack.packId),
    });
    // Stripe may deliver the async success before the completion, and the same payment under two event ids.
    const asyncSucceeded = { ...paid, id: 'evt_async_first', type: 'checkout.session.async_payment_succeeded' };
    expect((await postStripeEvent(w, asyncSucceeded)).body.outcome).toBe('PROCESSED');
    expect((await postStripeEvent(w, paid)).body.outcome).toBe('PROCESSED');
    // Both signals were accepted before this read; a query answers once the workflow has handled what it received.
    const before = await packUntil(w, pack, (s) => s.status === 'ACTIVE', 'the payment');
    expect(before).toMatchObject({ paidCents: 27_000, payments: [expect.objectContaining({ reference: 'pi_out_of_order_1' })] });

    // The session's expiry, sent by Stripe after the payment (and created earlier), is handled before its answer.
    const { checkoutSessionId } = await w.db.prisma.pack.findUniqueOrThrow({ where: { id: pack.packId } });
    const expired = {
      ...paid,
      id: 'evt_expired_late',
      type: 'checkout.session.expired',
      created: paid.created - 10,
      data: { object: { ...paid.data.object, id: checkoutSessionId, payment_status: 'unpaid', status: 'expired' } },
    };
    expect((await postStripeEvent(w, expired)).body.outcome).toBe('PROCESSED');
    const after = await packUntil(w, pack, () => true, 'the pack after the expiry');
    expect(after).toMatchObject({ status: 'ACTIVE', paidCents: 27_000, hours: { total: 3, available: 3 } });
    expect(after.payments).toHaveLength(1);
    const projected = await until(
      () => w.db.prisma.pack.findUniqueOrThrow({ where: { id: pack.packId } }),
      (p) => p.paidCents > 0,
      'the projection of the payment',
    );
    expect(projected).toMatchObject({ status: 'ACTIVE', paidCents: 27_000, checkoutUrl: null });
  });

  test('invites sent by email follow the booking: REQUEST with SEQUENCE 0, the same UID with SEQUENCE 1 after a move, then CANCEL', async () => {
    const email = `ics.${Date.now()}@example.org`;
    const { packId, token } = await paidPack({ customer: { name: 'Ines Calendrier', email } });
    const start = nextStart(10);
    const booking = (await as(token)(request(w.app).post(`/api/packs/${packId}/bookings`)).send({ start })).body.booking;
    const newStart = nextStart(11);
    await as(token)(request(w.app).post(`/api/packs/${packId}/bookings/${booking.id}/reschedule`)).send({ start: newStart });
    await as(token)(request(w.app).post(`/api/packs/${packId}/bookings/${booking.id}/cancel`));
    const ics = async (subjectStart: string) => {
      const m = await w.sink.waitFor((x) => x.to.includes(email) && x.subject.startsWith(subjectStart), 20_000);
      const text = (m.parsed.attachments ?? []).map((att) => att.content.toString('utf8')).find((t) => t.includes('BEGIN:VCALENDAR')) ?? '';
      const field = (name: string) => new RegExp(`^${name}:(.*)$`, 'm').exec(text.replace(/\r\n /g, ''))?.[1]?.trim();
      return { method: field('METHOD'), uid: field('UID'), seq: field('SEQUENCE'), dtstart: field('DTSTART') };
    };
    const basic = (iso: string) => iso.replace(/[-:]/g, '').replace(/\.\d{3}/, '');
    expect(await ics('Séance confirmée')).toEqual({
      method: 'REQUEST',
      uid: `${booking.id}@imaginasite.com`,
      seq: '0',
      dtstart: basic(start),
    });
    expect(await ics('Séance déplacée')).toEqual({
      method: 'REQUEST',
      uid: `${booking.id}@imaginasite.com`,
      seq: '1',
      dtstart: basic(newStart),
    });
    expect(await ics('Séance annulée sans frais')).toEqual({
      method: 'CANCEL',
      uid: `${booking.id}@imaginasite.com`,
      seq: '2',
      dtstart: basic(newStart),
    });
  });

  test('a webhook for an unknown order is kept for the provider, not an error', async () => {
    const { payload, header } = w.signed(checkoutCompleted('00000000-0000-4000-8000-000000000000', 1000));
    const res = await request(w.app)
      .post('/webhooks/stripe')
      .set('stripe-signature', header)
      .set('content-type', 'application/json')
      .send(payload);
    expect(res.body).toMatchObject({ received: true, outcome: 'UNMATCHED' });
    expect(await w.db.prisma.stripeEvent.count({ where: { status: 'UNMATCHED' } })).toBeGreaterThanOrEqual(1);
  });

  test('book, list slots without the taken one, cancel for free, reschedule: the booking endpoints answer the contract', async () => {
    const { packId, token } = await paidPack();
    const start = nextStart(4);
    const booked = await as(token)(request(w.app).post(`/api/packs/${packId}/bookings`)).send({ start });
    expect(booked.status).toBe(201);
    expect(booked.body.booking).toMatchObject({ start, status: 'CONFIRMED', id: expect.any(String) });
    const slots = await as(token)(
      request(w.app)
        .get(`/api/packs/${packId}/slots`)
        .query({ from: new Date(Date.parse(start) - 6 * HOUR).toISOString(), to: new Date(Date.parse(start) + 6 * HOUR).toISOString() }),
    );
    expect(slots.status).toBe(200);
    expect(slots.body.slots.length).toBeGreaterThan(0);
    expect(
      slots.body.slots.some(
        (x: { start: string; end: string }) => Date.parse(x.start) < Date.parse(start) + HOUR && Date.parse(x.end) > Date.parse(start),
      ),
    ).toBe(false);
    const moved = await as(token)(request(w.app).post(`/api/packs/${packId}/bookings/${booked.body.booking.id}/reschedule`)).send({
      start: nextStart(5),
    });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ penalty: false, booking: { id: booked.body.booking.id } });
    const cancelled = await as(token)(request(w.app).post(`/api/packs/${packId}/bookings/${booked.body.booking.id}/cancel`));
    expect(cancelled.body).toMatchObject({ penalty: false, hoursReturned: 1, booking: { status: 'CANCELLED' } });
    const again = await as(token)(request(w.app).post(`/api/packs/${packId}/bookings/${booked.body.booking.id}/cancel`));
    expect([again.status, again.body.error.code]).toEqual([409, 'BOOKING_NOT_CANCELLABLE']);
    const unknown = await as(token)(request(w.app).post(`/api/packs/${packId}/bookings/00000000-0000-4000-8000-000000000001/cancel`));
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'BOOKING_NOT_FOUND']);
  });

  test('each booking refusal has its code: SLOT_UNAVAILABLE, INSUFFICIENT_HOURS, AFTER_EXPIRY, TOO_SOON, OUTSIDE_AVAILABILITY, VALIDATION_FAILED', async () => {
    const a = await paidPack({ quantity: 1 });
    const b = await paidPack({ quantity: 1 });
    const start = nextStart(6);
    expect((await as(a.token)(request(w.app).post(`/api/packs/${a.packId}/bookings`)).send({ start })).status).toBe(201);
    const taken = await as(b.token)(request(w.app).post(`/api/packs/${b.packId}/bookings`)).send({ start });
    expect([taken.status, taken.body.error.code]).toEqual([409, 'SLOT_UNAVAILABLE']);
    const noHours = await as(a.token)(request(w.app).post(`/api/packs/${a.packId}/bookings`)).send({ start: nextStart(7) });
    expect([noHours.status, noHours.body.error.code]).toEqual([409, 'INSUFFICIENT_HOURS']);
    const late = await as(b.token)(request(w.app).post(`/api/packs/${b.packId}/bookings`)).send({
      start: new Date(Date.now() + 100 * DAY).toISOString().replace(/:\d\d\.\d+Z$/, ':00.000Z'),
    });
    expect([late.status, late.body.error.code]).toEqual([422, 'AFTER_EXPIRY']);
    const bad = await as(b.token)(request(w.app).post(`/api/packs/${b.packId}/bookings`)).send({ start: 'lundi prochain' });
    expect([bad.status, bad.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    const weekdays = {
      timezone: 'Europe/Paris',
      weekly: [1, 2, 3, 4, 5].map((day) => ({ day, from: '09:00', to: '18:00' })),
      exceptions: [],
      minNoticeHours: 48,
      bufferMinutes: 0,
      autoConfirm: true,
    };
    expect((await admin(request(w.app).put('/api/admin/availability')).send(weekdays)).status).toBe(200);
    try {
      const soon = await as(b.token)(request(w.app).post(`/api/packs/${b.packId}/bookings`)).send({
        start: hourAfter(Date.now(), 2 * HOUR),
      });
      expect([soon.status, soon.body.error.code]).toEqual([422, 'TOO_SOON']);
      const night = new Date(Math.ceil((Date.now() + 5 * DAY) / DAY) * DAY + 1 * HOUR).toISOString(); // 02:00 Paris
      const outside = await as(b.token)(request(w.app).post(`/api/packs/${b.packId}/bookings`)).send({ start: night });
      expect([outside.status, outside.body.error.code]).toEqual([422, 'OUTSIDE_AVAILABILITY']);
    } finally {
      await admin(request(w.app).put('/api/admin/availability')).send(OPEN_ALL_THE_TIME);
    }
  });

  test('withdraw refunds the card and closes the pack; a second withdrawal is WITHDRAWAL_NOT_ALLOWED and booking then PACK_NOT_ACTIVE', async () => {
    const { packId, token } = await paidPack();
    const res = await as(token)(request(w.app).post(`/api/packs/${packId}/withdraw`));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'WITHDRAWN', refund: { method: 'card', amountCents: 27_000 } });
    const again = await as(token)(request(w.app).post(`/api/packs/${packId}/withdraw`));
    expect([again.status, again.body.error.code]).toEqual([409, 'WITHDRAWAL_NOT_ALLOWED']);
    const book = await as(token)(request(w.app).post(`/api/packs/${packId}/bookings`)).send({ start: nextStart() });
    expect([book.status, book.body.error.code]).toEqual([409, 'PACK_NOT_ACTIVE']);
    await until(
      () => w.db.prisma.refund.findMany({ where: { packId } }),
      (r) => r.length === 1 && r[0].status === 'REFUNDED',
      'the Stripe refund',
    );
  });

  test('the admin API needs the provider token: none or a wrong one → 401', async () => {
    for (const path of ['/api/admin/packs', '/api/admin/availability', '/api/admin/outbox']) {
      expect((await request(w.app).get(path)).status).toBe(401);
      expect((await request(w.app).get(path).set('authorization', 'Bearer not-the-token')).status).toBe(401);
    }
    const client = await order();
    expect((await as(client.body.accessToken)(request(w.app).get('/api/admin/packs'))).status).toBe(401);
  });

  test('the provider records a bank transfer (once, even posted twice), sees the pack with its customer and timeline, and filters the list', async () => {
    const a = await order();
    const body = { method: 'bank_transfer', amountCents: 27_000, reference: a.body.bankTransfer.reference };
    const first = await admin(request(w.app).post(`/api/admin/packs/${a.body.packId}/payments`)).send(body);
    expect(first.status).toBe(200);
    expect(first.body.status).toBe('ACTIVE');
    const second = await admin(request(w.app).post(`/api/admin/packs/${a.body.packId}/payments`)).send(body);
    expect(second.body.payments).toHaveLength(1);
    const detail = await until(
      () => admin(request(w.app).get(`/api/admin/packs/${a.body.packId}`)),
      (r) => r.body.timeline?.some((e: { type: string }) => e.type === 'PAYMENT_CONFIRMED'),
      'the timeline',
    );
    expect(detail.body.customer).toMatchObject({ name: 'Léa Moreau' });
    expect(detail.body.temporalUrl).toContain(`pack-${a.body.packId}`);
    const active = await until(
      () => admin(request(w.app).get('/api/admin/packs').query({ status: 'ACTIVE' })),
      (r) => r.body.packs.some((p: { packId: string }) => p.packId === a.body.packId),
      'the projection',
    );
    expect(active.body.packs.every((p: { status: string }) => p.status === 'ACTIVE')).toBe(true);
    const bad = await admin(request(w.app).post(`/api/admin/packs/${a.body.packId}/payments`)).send({ method: 'cash', amountCents: -1 });
    expect([bad.status, bad.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
  });

  test('the provider confirms or declines a request, reports a no-show only after the start, cancels for free', async () => {
    await admin(request(w.app).put('/api/admin/availability')).send({ ...OPEN_ALL_THE_TIME, autoConfirm: false });
    try {
      const { packId, token } = await paidPack();
      const b1 = (await as(token)(request(w.app).post(`/api/packs/${packId}/bookings`)).send({ start: nextStart(8) })).body.booking;
      const b2 = (await as(token)(request(w.app).post(`/api/packs/${packId}/bookings`)).send({ start: nextStart(9) })).body.booking;
      expect([b1.status, b2.status]).toEqual(['REQUESTED', 'REQUESTED']);
      expect((await admin(request(w.app).post(`/api/admin/packs/${packId}/bookings/${b1.id}/confirm`))).body.booking.status).toBe(
        'CONFIRMED',
      );
      expect(
        (await admin(request(w.app).post(`/api/admin/packs/${packId}/bookings/${b2.id}/decline`)).send({ reason: 'congés' })).body.booking
          .status,
      ).toBe('DECLINED');
      const early = await admin(request(w.app).post(`/api/admin/packs/${packId}/bookings/${b1.id}/no-show`));
      expect([early.status, early.body.error.code]).toEqual([409, 'BOOKING_NOT_CANCELLABLE']);
      const cancel = await admin(request(w.app).post(`/api/admin/packs/${packId}/bookings/${b1.id}/cancel`));
      expect(cancel.body).toMatchObject({ penalty: false, hoursReturned: 1 });
    } finally {
      await admin(request(w.app).put('/api/admin/availability')).send(OPEN_ALL_THE_TIME);
    }
  });

  test('availability is validated: a range ending before it starts is VALIDATION_FAILED', async () => {
    const res = await admin(request(w.app).put('/api/admin/availability')).send({
      timezone: 'Europe/Paris',
      weekly: [{ day: 1, from: '18:00', to: '09:00' }],
      exceptions: [],
      minNoticeHours: 0,
      bufferMinutes: 0,
      autoConfirm: true,
    });
    expect([res.status, res.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
  });

  test('a token signed with another secret, or for an unknown pack, opens nothing', async () => {
    const forged = signPackToken('some-other-secret-that-is-long-enough', '00000000-0000-4000-8000-000000000002', 3600);
    expect((await as(forged)(request(w.app).get('/api/packs/00000000-0000-4000-8000-000000000002'))).status).toBe(401);
  });

  test('malformed JSON and oversized bodies get a clean 4xx with a code', async () => {
    const broken = await request(w.app).post('/api/orders').set('content-type', 'application/json').send('{"packCode":');
    expect([broken.status, broken.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    const huge = await request(w.app)
      .post('/api/orders')
      .set('content-type', 'application/json')
      .send(JSON.stringify({ project: 'x'.repeat(100_000) }));
    expect([huge.status, huge.body.error.code]).toEqual([413, 'VALIDATION_FAILED']);
  });
});

describe('rate limiting of the card payment', () => {
  let w: GatewayWorld;
  beforeAll(async () => {
    w = await createGatewayWorld({ rateLimits: { bookingsPerMinute: 3 } });
  });
  afterAll(async () => {
    await w?.teardown();
  });

  test('asking for the card payment is rate-limited like bookings: one order cannot spend the account’s Stripe API rate', async () => {
    const o = await placeOrder(w, { paymentMethod: 'card' }, 'checkout-limit-0001');
    expect(o.status).toBe(201);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++)
      statuses.push((await as(o.body.accessToken as string)(request(w.app).post(`/api/packs/${o.body.packId}/checkout`))).status);
    expect(statuses).toEqual([201, 201, 201, 429]);
  });
});

describe('rate limiting', () => {
  let w: GatewayWorld;
  beforeAll(async () => {
    w = await createGatewayWorld({ rateLimits: { ordersPerMinute: 2, invalidOrdersPerMinute: 4 } });
  });
  afterAll(async () => {
    await w?.teardown();
  });

  test('orders count once created: replays of the same order and refused bodies do not use up the limit; the third new order in a minute → 429', async () => {
    const same = { customer: { name: 'Léa Moreau', email: 'lea.limite@example.org' } };
    const first = await placeOrder(w, same, 'same-order-key-0001');
    expect(first.status).toBe(201);
    for (let i = 0; i < 3; i++) expect((await placeOrder(w, same, 'same-order-key-0001')).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await request(w.app).post('/api/orders').send({})).status).toBe(400);
    expect((await placeOrder(w)).status).toBe(201);
    const third = await placeOrder(w);
    expect([third.status, third.body.error.code]).toEqual([429, 'RATE_LIMITED']);
  });
});

describe('rate limiting of refused order bodies', () => {
  let w: GatewayWorld;
  beforeAll(async () => {
    w = await createGatewayWorld({ rateLimits: { ordersPerMinute: 2, invalidOrdersPerMinute: 4 } });
  });
  afterAll(async () => {
    await w?.teardown();
  });

  test('refused order bodies have their own, looser limit → 429 RATE_LIMITED beyond it, while valid orders still pass', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 6; i++) codes.push((await request(w.app).post('/api/orders').send({ packCode: 'PACK_1H' })).status);
    expect(codes).toEqual([400, 400, 400, 400, 429, 429]);
  });
});

describe('moving a session onto part of its own time', () => {
  let w: GatewayWorld;
  beforeAll(async () => {
    w = await createGatewayWorld();
  });
  afterAll(async () => {
    await w?.teardown();
  });

  const HALF_HOUR = HOUR / 2;
  const at = (ms: number) => new Date(ms).toISOString();
  /** The calendar ranges a booking holds now, as [start, end) in ms. */
  const heldBy = async (bookingId: string) =>
    (
      await w.db.prisma.$queryRaw<Array<{ from: Date; to: Date }>>`
        SELECT lower(during) AS "from", upper(during) AS "to" FROM calendar_slot WHERE booking_id = ${bookingId}::uuid AND released_at IS NULL`
    ).map((r) => [r.from.getTime(), r.to.getTime()]);

  test('a client shifts their session by 30 minutes (11:00 → 11:30): the move ignores the session it moves, and no one else can take the new time', async () => {
    const mine = await paidThroughStripe(w, { quantity: 2 });
    const other = await paidThroughStripe(w, { quantity: 2 });
    const eleven = Date.parse(hourAfter(Date.now(), 5 * DAY));
    const booked = await as(mine.token)(request(w.app).post(`/api/packs/${mine.packId}/bookings`)).send({ start: at(eleven) });
    expect(booked.status).toBe(201);
    const id = booked.body.booking.id as string;

    const moved = await as(mine.token)(request(w.app).post(`/api/packs/${mine.packId}/bookings/${id}/reschedule`)).send({
      start: at(eleven + HALF_HOUR),
    });
    expect([moved.status, moved.body.error?.code]).toEqual([200, undefined]);
    expect(moved.body).toMatchObject({ penalty: false, booking: { id, start: at(eleven + HALF_HOUR) } });
    // One active range for the session, its new one, as soon as the client has the answer.
    expect(await heldBy(id)).toEqual([[eleven + HALF_HOUR, eleven + HALF_HOUR + HOUR]]);

    const taken = await as(other.token)(request(w.app).post(`/api/packs/${other.packId}/bookings`)).send({ start: at(eleven + HALF_HOUR) });
    expect([taken.status, taken.body.error.code]).toEqual([409, 'SLOT_UNAVAILABLE']);
    // The half hour it gave up is free for anyone.
    const before = await as(other.token)(request(w.app).post(`/api/packs/${other.packId}/bookings`)).send({
      start: at(eleven - HALF_HOUR),
    });
    expect(before.status).toBe(201);
  });

  test('a move whose new time is taken by another pack is refused with SLOT_UNAVAILABLE and keeps its old time', async () => {
    const mine = await paidThroughStripe(w, { quantity: 2 });
    const other = await paidThroughStripe(w, { quantity: 2 });
    const start = Date.parse(hourAfter(Date.now(), 8 * DAY));
    const booked = await as(mine.token)(request(w.app).post(`/api/packs/${mine.packId}/bookings`)).send({ start: at(start) });
    const id = booked.body.booking.id as string;
    const next = await as(other.token)(request(w.app).post(`/api/packs/${other.packId}/bookings`)).send({ start: at(start + HOUR) });
    expect(next.status).toBe(201);

    const moved = await as(mine.token)(request(w.app).post(`/api/packs/${mine.packId}/bookings/${id}/reschedule`)).send({
      start: at(start + HALF_HOUR),
    });
    expect([moved.status, moved.body.error.code]).toEqual([409, 'SLOT_UNAVAILABLE']);
    expect(await heldBy(id)).toEqual([[start, start + HOUR]]);
    const s = await packUntil(w, mine, () => true, 'the pack');
    expect(s.bookings).toMatchObject([{ id, start: at(start), status: 'CONFIRMED' }]);
  });
});

describe('card payments only through the order’s own Checkout session', () => {
  let w: GatewayWorld;
  beforeAll(async () => {
    w = await createGatewayWorld();
  });
  afterAll(async () => {
    await w?.teardown();
  });

  const cardOrder = async () => {
    const res = await placeOrder(w, { paymentMethod: 'card' });
    expect(res.status).toBe(201);
    return { packId: res.body.packId as string, token: res.body.accessToken as string, checkoutUrl: res.body.checkoutUrl as string };
  };

  test('a signed completed session the pack never created (a Payment Link naming it), or in another currency, pays nothing and is kept for the provider', async () => {
    const o = await cardOrder();
    const foreign = checkoutCompleted(o.packId, 9000); // a session id of nobody's, naming the pack in its metadata
    expect((await postStripeEvent(w, foreign)).body.outcome).toBe('UNMATCHED');
    const ownSession = await checkoutSessionOf(w, o.packId);
    const dollars = checkoutCompleted(o.packId, 9000, { sessionId: ownSession });
    (dollars.data.object as { currency: string }).currency = 'usd';
    expect((await postStripeEvent(w, dollars)).body.outcome).toBe('UNMATCHED');
    const subscription = checkoutCompleted(o.packId, 9000, { sessionId: ownSession });
    (subscription.data.object as { mode: string }).mode = 'subscription';
    expect((await postStripeEvent(w, subscription)).body.outcome).toBe('UNMATCHED');
    const state = await as(o.token)(request(w.app).get(`/api/packs/${o.packId}`));
    expect([state.body.status, state.body.paidCents]).toEqual(['AWAITING_PAYMENT', 0]);
    expect(await w.db.prisma.stripeEvent.count({ where: { id: foreign.id, status: 'UNMATCHED' } })).toBe(1);
    // Its own session, in euros, pays it.
    expect((await postStripeEvent(w, checkoutCompleted(o.packId, 9000, { sessionId: ownSession }))).body.outcome).toBe('PROCESSED');
    await packUntil(w, o, (s) => s.status === 'ACTIVE', 'the payment through the pack’s own session');
  });

  test('asking for the card payment again gives the same Checkout page: one open Stripe session per order', async () => {
    const o = await cardOrder();
    const urls = new Set<string>();
    for (let i = 0; i < 4; i++) {
      const res = await as(o.token)(request(w.app).post(`/api/packs/${o.packId}/checkout`));
      expect(res.status).toBe(201);
      urls.add(res.body.checkoutUrl as string);
    }
    expect([...urls]).toEqual([o.checkoutUrl]);
    expect(await w.db.prisma.checkoutSession.count({ where: { packId: o.packId } })).toBe(1);
  });

  test('Stripe’s return addresses carry a token of two days, not the order’s long-lived access token', async () => {
    const create = jest.spyOn(w.stripe.checkout.sessions, 'create');
    try {
      const o = await cardOrder();
      const sent = create.mock.calls[0][0] as { success_url: string; cancel_url: string };
      for (const url of [sent.success_url, sent.cancel_url]) {
        const token = decodeURIComponent(new URL(url).searchParams.get('token')!);
        expect(token).not.toBe(o.token);
        const claim = verifyPackToken(w.app.ctx.config.ACCESS_TOKEN_SECRET, token)!;
        expect(claim.packId).toBe(o.packId);
        expect(claim.exp * 1000 - Date.now()).toBeLessThanOrEqual(2 * DAY);
      }
    } finally {
      create.mockRestore();
    }
  });
});
