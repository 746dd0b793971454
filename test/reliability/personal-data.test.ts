import request from 'supertest';
import { Client, Connection } from '@temporalio/client';
import { asClient, asProvider as admin, paidPack as paidThroughStripe, postStripeEvent } from '../support/api';
import { createGatewayWorld, type GatewayWorld } from '../support/gateway';
import { DAY, hourAfter } from '../support/time';
import { openPortal } from '../support/portal';
import { until } from '../support/until';

// Personal data: payloads in Temporal are encrypted with the client's key (read here with a plain client, as anyone
// with access to Temporal's database would), the provider reads them through the codec endpoint, and erasing the
// client removes their data from PostgreSQL and makes their histories unreadable (the key is destroyed).
describe('personal data: export, encryption in Temporal, erasure', () => {
  let w: GatewayWorld;
  let plain: Client;
  beforeAll(async () => {
    w = await createGatewayWorld({ encrypted: true });
    plain = new Client({ connection: await Connection.connect({ address: process.env.TEST_TEMPORAL_ADDRESS! }) });
  });
  afterAll(async () => {
    await plain?.connection.close();
    await w?.teardown();
  });

  const rawPayloads = async (packId: string) => {
    const history = await plain.workflow.getHandle(`pack-${packId}`).fetchHistory();
    return (history.events ?? []).flatMap((e) => [
      ...(e.workflowExecutionStartedEventAttributes?.input?.payloads ?? []),
      ...(e.workflowExecutionSignaledEventAttributes?.input?.payloads ?? []),
      ...(e.activityTaskScheduledEventAttributes?.input?.payloads ?? []),
      ...(e.activityTaskCompletedEventAttributes?.result?.payloads ?? []),
    ]);
  };
  const b64 = (p: { metadata?: Record<string, Uint8Array> | null; data?: Uint8Array | null }) => ({
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
    data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
  });

  let day = 4;
  async function paidPack(email: string) {
    const pack = await paidThroughStripe(w, {
      quantity: 2,
      customer: { name: 'Élise Privée', email, phone: '06 12 34 56 78' },
      project: 'Mon projet secret',
    });
    const booked = await asClient(pack.token)(request(w.app).post(`/api/packs/${pack.packId}/bookings`)).send({
      start: hourAfter(Date.now(), day++ * DAY),
    });
    expect(booked.status).toBe(201);
    // The projection in PostgreSQL follows the workflow a moment later: wait until it shows the payment and the booking.
    const row = await until(
      () => w.db.prisma.pack.findUniqueOrThrow({ where: { id: pack.packId } }),
      (p) => p.paidCents > 0 && p.hoursReserved > 0,
      'the projection of the payment and the booking',
    );
    return { packId: row.id, customerId: row.customerId, token: pack.token };
  }

  test('every payload of a pack in Temporal is encrypted; the provider decrypts it through the codec endpoint', async () => {
    const { packId } = await paidPack('chiffre@example.org');
    const payloads = await rawPayloads(packId);
    expect(payloads.length).toBeGreaterThanOrEqual(3);
    for (const p of payloads) {
      expect(Buffer.from(p.metadata!.encoding).toString()).toBe('binary/encrypted');
      expect(Buffer.from(p.data!).toString('latin1')).not.toContain(packId);
    }
    expect(
      (
        await request(w.app)
          .post('/codec/decode')
          .send({ payloads: [b64(payloads[0])] })
      ).status,
    ).toBe(401);
    const decoded = await admin(request(w.app).post('/codec/decode')).send({ payloads: [b64(payloads[0])] });
    expect(decoded.status).toBe(200);
    const input = JSON.parse(Buffer.from(decoded.body.payloads[0].data, 'base64').toString('utf8'));
    expect(input.input.packId).toBe(packId);
  });

  test('the export holds everything about the client: identity, consents, packs, sessions, payments, emails', async () => {
    const { customerId, packId } = await paidPack('export@example.org');
    const res = await admin(request(w.app).get(`/api/admin/customers/${customerId}/export`));
    expect(res.status).toBe(200);
    expect(res.body.customer).toMatchObject({ email: 'export@example.org', phone: '06 12 34 56 78', name: 'Élise Privée' });
    expect(res.body.consents).toHaveLength(5);
    expect(res.body.packs[0]).toMatchObject({ id: packId, project: 'Mon projet secret' });
    expect(res.body.workflowStates[packId].bookings).toHaveLength(1);
    expect(res.body.emails.length).toBeGreaterThan(0);
  });

  test('erasure removes the personal data, keeps amounts, dates and references, and leaves the histories unreadable', async () => {
    const { customerId, packId, token } = await paidPack('efface@example.org');
    const before = await w.db.prisma.pack.findUniqueOrThrow({ where: { id: packId } });
    // Two payments Stripe sent for no order of ours (a Payment Link): one names the client, the other someone else.
    const stray = (id: string, name: string, email: string) =>
      postStripeEvent(w, {
        id,
        object: 'event',
        type: 'checkout.session.completed',
        created: Math.floor(Date.now() / 1000),
        api_version: '2025-09-30.clover',
        data: {
          object: {
            id: `cs_test_${id}`,
            object: 'checkout.session',
            mode: 'payment',
            payment_status: 'paid',
            status: 'complete',
            amount_total: 9_000,
            currency: 'eur',
            customer_details: { name, email },
          },
        },
      });
    expect((await stray('evt_erase_theirs', 'Élise Privée', 'elise.autre.adresse@example.org')).status).toBe(200);
    expect((await stray('evt_erase_other', 'Paul Autre', 'paul.autre@example.org')).status).toBe(200);
    // A portal session open in the client's browser.
    const portal = request.agent(w.app).set('accept', 'text/html');
    await openPortal(portal, token);
    expect((await portal.get('/espace')).status).toBe(200);
    const res = await admin(request(w.app).post(`/api/admin/customers/${customerId}/erase`));
    expect(res.body).toMatchObject({ erased: true, packs: 1 });
    // The answer says what was kept, and why.
    expect(res.body.kept.join(' ')).toMatch(/version des CGV acceptée.*L213-1.*factures.*L123-22/);
    // Every way in is closed: the access token, the magic link and the open portal session.
    expect((await asClient(token)(request(w.app).get(`/api/packs/${packId}`))).status).toBe(401);
    expect(
      (
        await request(w.app)
          .get(`/espace?token=${encodeURIComponent(token)}`)
          .set('accept', 'text/html')
      ).status,
    ).toBe(401);
    expect((await portal.get('/espace')).headers.location).toBe('/espace/lien');
    // The contract's proof stays: the consents with their wording, time and CGV version.
    const consents = await w.db.prisma.consent.findMany({ where: { packId } });
    expect(consents).toHaveLength(5);
    for (const c of consents) {
      expect(c.wording.length).toBeGreaterThan(20);
      expect(c.acceptedAt).toEqual(before.orderedAt);
      const cgv = await w.db.prisma.cgvVersion.findUniqueOrThrow({ where: { version: c.cgvVersion } });
      expect(cgv.text).toContain('Conditions générales de vente');
    }

    const customer = await w.db.prisma.customer.findUniqueOrThrow({ where: { id: customerId } });
    expect(customer).toMatchObject({ name: 'Client effacé', phone: null });
    expect(customer.email).not.toContain('efface@example.org');
    const pack = await w.db.prisma.pack.findUniqueOrThrow({ where: { id: packId }, include: { payments: true, consents: true } });
    expect(pack).toMatchObject({
      priceCents: before.priceCents,
      paidCents: before.paidCents,
      bankReference: before.bankReference,
      orderedAt: before.orderedAt,
      project: null,
    });
    expect(pack.consents.every((c) => c.ip === '0.0.0.0')).toBe(true);
    const emails = JSON.stringify(
      (await w.db.prisma.outboxEmail.findMany({ where: { packId } })).map((e) => [
        e.toAddress,
        e.subject,
        e.textBody,
        e.htmlBody,
        e.icsBody,
      ]),
    );
    expect(emails).not.toContain('efface@example.org');
    expect(emails).not.toContain('Élise');
    // Stripe's unmatched events: the one that named the client is blanked, the other kept for the provider.
    const strays = await w.db.prisma.stripeEvent.findMany({
      where: { id: { in: ['evt_erase_theirs', 'evt_erase_other'] } },
      orderBy: { id: 'asc' },
    });
    expect(
      strays.map((e) => [e.id, e.status, JSON.stringify(e.payload).includes('Élise'), JSON.stringify(e.payload).includes('Paul Autre')]),
    ).toEqual([
      ['evt_erase_other', 'UNMATCHED', false, true],
      ['evt_erase_theirs', 'UNMATCHED', false, false],
    ]);

    // Temporal: the workflow is stopped and its payloads can no longer be decrypted, by anyone.
    expect((await plain.workflow.getHandle(`pack-${packId}`).describe()).status.name).toBe('TERMINATED');
    const payloads = await rawPayloads(packId);
    const decoded = await admin(request(w.app).post('/codec/decode')).send({ payloads: payloads.map(b64) });
    for (const p of decoded.body.payloads) expect(Buffer.from(p.data, 'base64').toString('utf8')).toContain('effacé');
    expect(await w.db.prisma.clientKey.findUniqueOrThrow({ where: { customerId } })).toMatchObject({
      key: null,
      destroyedAt: expect.any(Date),
    });
  });
});
