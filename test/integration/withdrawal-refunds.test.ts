import request from 'supertest';
import { DateTime } from 'luxon';
import { expiryOf, DEFAULT_SETTINGS } from '../../src/shared/policy';
import { asProvider as admin, paidPack, placeOrder } from '../support/api';
import { createGatewayWorld, PROVIDER_PASSWORD, type GatewayWorld } from '../support/gateway';
import { fieldValue, parseHtml, visibleText } from '../support/html';
import { DAY } from '../support/time';
import { until } from '../support/until';

// Issue 13, points 4 and 5, through the gateway: the provider records a withdrawal sent by email or letter and a
// transfer with the bank's date, marks a refund paid; the admin API and the dashboard's forms, on the real stack.
// (The dates' rules themselves — day 14 recorded day 16, day 6 recorded day 8 — are proven on the time-skipping
// server: test/workflows/pack-withdrawal-transfers.test.ts.)

const PARIS = 'Europe/Paris';

describe('withdrawals, dated transfers and refunds owed, as the provider records them', () => {
  let w: GatewayWorld;
  beforeAll(async () => {
    w = await createGatewayWorld();
  });
  afterAll(async () => {
    await w?.teardown();
  });

  const today = () => DateTime.now().setZone(PARIS).toISODate()!;
  const tomorrow = () => DateTime.now().setZone(PARIS).plus({ days: 1 }).toISODate()!;
  const packOf = (packId: string) => admin(request(w.app).get(`/api/admin/packs/${packId}`));
  const withdrawal = (packId: string, body: unknown) =>
    admin(request(w.app).post(`/api/admin/packs/${packId}/withdrawal`)).send(body as object);

  /** A bank-transfer order of `hours` hourly hours, paid by a transfer the provider records. */
  async function paidByTransfer(hours = 1) {
    const order = await placeOrder(w, { quantity: hours });
    expect(order.status).toBe(201);
    const packId = order.body.packId as string;
    const paid = await admin(request(w.app).post(`/api/admin/packs/${packId}/payments`)).send({
      method: 'bank_transfer',
      amountCents: order.body.bankTransfer.amountCents,
      reference: order.body.bankTransfer.reference,
    });
    expect([paid.status, paid.body.status]).toEqual([200, 'ACTIVE']);
    return { packId, priceCents: order.body.bankTransfer.amountCents as number, reference: order.body.bankTransfer.reference as string };
  }

  /** A logged-in provider's browser and a CSRF token of its session. */
  async function dashboard() {
    const agent = request.agent(w.app).set('accept', 'text/html');
    const login = await agent.post('/admin/connexion').type('form').send({ password: PROVIDER_PASSWORD });
    expect(login.status).toBe(303);
    const page = await agent.get('/admin');
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.text)?.[1];
    if (!csrf) throw new Error('no csrf token on the dashboard');
    return { agent, csrf };
  }

  // ------------------------------------------------------------------------------------------- admin API

  test('POST /api/admin/packs/:id/withdrawal with the day it was received answers the pack state, withdrawn and refunded', async () => {
    const { packId, priceCents } = await paidPack(w);
    const res = await withdrawal(packId, { receivedAt: today() });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ packId, status: 'WITHDRAWN', refund: { method: 'card', amountCents: priceCents }, refundsDue: [] });
    // The same shape as the other admin pack answers (the payments one).
    const other = await paidByTransfer();
    const payments = await admin(request(w.app).post(`/api/admin/packs/${other.packId}/payments`)).send({
      method: 'bank_transfer',
      amountCents: 100,
      reference: 'VIR-SURPLUS',
    });
    expect(Object.keys(res.body).sort()).toEqual(Object.keys(payments.body).sort());
    const detail = await until(
      () => packOf(packId),
      (r) => r.body.timeline?.some((e: { type: string }) => e.type === 'WITHDRAWN'),
      'the withdrawal on the timeline',
    );
    const withdrawn = detail.body.timeline.find((e: { type: string }) => e.type === 'WITHDRAWN');
    expect(withdrawn.data).toMatchObject({ recordedBy: 'provider', refundCents: priceCents });
  });

  test.each([
    [{}, 'receivedAt : champ obligatoire.'],
    [{ receivedAt: 'hier' }, 'receivedAt : date AAAA-MM-JJ ou date-heure ISO 8601 avec fuseau'],
    [{ receivedAt: '2027-02-30' }, 'receivedAt : la date de réception doit être une date'],
    [{ receivedAt: 'TOMORROW' }, 'receivedAt : la date de réception ne peut pas être dans le futur.'],
    [{ receivedAt: '2020-01-01' }, 'receivedAt : la date de réception ne peut pas précéder la commande.'],
    [{ receivedAt: 'TODAY', by: 'letter' }, 'champ inconnu : by'],
  ])('a withdrawal body %j answers 400 VALIDATION_FAILED in French and changes nothing', async (body, message) => {
    const { packId } = await paidByTransfer();
    const sent = JSON.parse(JSON.stringify(body).replace('TOMORROW', tomorrow()).replace('TODAY', today())) as object;
    const res = await withdrawal(packId, sent);
    expect([res.status, res.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(res.body.error.message).toContain(message);
    expect((await packOf(packId)).body).toMatchObject({ status: 'ACTIVE', refund: null });
    expect(await w.db.prisma.providerTask.count({ where: { packId } })).toBe(0);
  });

  test('a withdrawal the rules refuse answers 409 WITHDRAWAL_NOT_ALLOWED, saying why', async () => {
    const { packId } = await paidPack(w);
    expect((await withdrawal(packId, { receivedAt: today() })).status).toBe(200);
    const again = await withdrawal(packId, { receivedAt: today() });
    expect([again.status, again.body.error]).toEqual([
      409,
      { code: 'WITHDRAWAL_NOT_ALLOWED', message: 'Ce pack est clos : une rétractation ne peut plus y être enregistrée.' },
    ]);
  });

  test('a transfer dated by its receivedAt starts the validity then; a date in the future or before the order is refused', async () => {
    const order = await placeOrder(w);
    const packId = order.body.packId as string;
    const orderedAt = (await packOf(packId)).body.orderedAt as string;
    const pay = (receivedAt?: string) =>
      admin(request(w.app).post(`/api/admin/packs/${packId}/payments`)).send({
        method: 'bank_transfer',
        amountCents: order.body.bankTransfer.amountCents,
        reference: order.body.bankTransfer.reference,
        ...(receivedAt ? { receivedAt } : {}),
      });
    for (const [date, message] of [
      [tomorrow(), 'ne peut pas être dans le futur'],
      [new Date(Date.parse(orderedAt) - DAY).toISOString(), 'ne peut pas précéder la commande'],
    ]) {
      const bad = await pay(date);
      expect([bad.status, bad.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
      expect(bad.body.error.message).toContain(message);
    }
    expect((await packOf(packId)).body).toMatchObject({ status: 'AWAITING_PAYMENT', payments: [] });

    const ok = await pay(orderedAt);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      status: 'ACTIVE',
      paidAt: orderedAt,
      expiresAt: new Date(expiryOf(Date.parse(orderedAt), DEFAULT_SETTINGS)).toISOString(),
    });
  });

  test('a refund owed by transfer has a due date, and POST /api/admin/refunds/:key/paid marks it paid (once)', async () => {
    const { packId, priceCents } = await paidByTransfer();
    const res = await withdrawal(packId, { receivedAt: today() });
    expect(res.body.refund).toMatchObject({ method: 'bank_transfer', amountCents: priceCents, dueAt: expect.any(String) });
    const dueAt = DateTime.now().setZone(PARIS).startOf('day').plus({ days: 15 }).toISO();
    expect(Date.parse(res.body.refund.dueAt)).toBe(Date.parse(dueAt!));
    const owed = await until(
      () => packOf(packId),
      (r) => r.body.refundsDue?.length === 1,
      'the refund owed to be kept',
    );
    const key = owed.body.refundsDue[0].key as string;
    const task = await w.db.prisma.providerTask.findUniqueOrThrow({ where: { key: `refund:${key}` } });
    expect(task).toMatchObject({ kind: 'BANK_REFUND', amountCents: priceCents, doneAt: null, dueAt: new Date(res.body.refund.dueAt) });

    const paid = await admin(request(w.app).post(`/api/admin/refunds/${encodeURIComponent(key)}/paid`));
    expect(paid.status).toBe(200);
    expect(paid.body.refund).toMatchObject({ key, packId, kind: 'BANK_REFUND', amountCents: priceCents, dueAt: res.body.refund.dueAt });
    const again = await admin(request(w.app).post(`/api/admin/refunds/${encodeURIComponent(key)}/paid`));
    expect(again.body.refund.paidAt).toBe(paid.body.refund.paidAt);
    await until(
      () => packOf(packId),
      (r) => r.body.refundsDue[0].paidAt !== null && r.body.timeline.some((e: { type: string }) => e.type === 'REFUND_PAID'),
      'the pack to know the refund is paid, and its timeline to say so',
    );

    const unknown = await admin(request(w.app).post('/api/admin/refunds/withdrawal:nothing/paid'));
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'NOT_FOUND']);
    expect(unknown.body.error.message).toContain('Remboursement introuvable');
    const malformed = await admin(request(w.app).post(`/api/admin/refunds/${encodeURIComponent('a b<c>')}/paid`));
    expect([malformed.status, malformed.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
  });

  // ------------------------------------------------------------------------------------------- dashboard

  test('the pack page’s transfer form has a date field (today by default) and records the transfer with it', async () => {
    const order = await placeOrder(w);
    const packId = order.body.packId as string;
    const { agent, csrf } = await dashboard();
    const page = await agent.get(`/admin/packs/${packId}`);
    expect(page.status).toBe(200);
    expect(fieldValue(page.text, 'transfer-received-on')).toBe(today());
    expect(parseHtml(page.text).querySelector('#transfer-received-on')?.getAttribute('max')).toBe(today());

    const future = await agent
      .post(`/admin/packs/${packId}/paiement`)
      .type('form')
      .send({
        csrf,
        amount: String(order.body.bankTransfer.amountCents / 100),
        reference: order.body.bankTransfer.reference,
        receivedOn: tomorrow(),
      });
    expect(future.status).toBe(400);
    expect(visibleText(future.text)).toContain('la date de réception ne peut pas être dans le futur');
    expect((await packOf(packId)).body.status).toBe('AWAITING_PAYMENT');

    const posted = await agent
      .post(`/admin/packs/${packId}/paiement`)
      .type('form')
      .send({
        csrf,
        amount: String(order.body.bankTransfer.amountCents / 100),
        reference: order.body.bankTransfer.reference,
        receivedOn: today(),
      });
    expect([posted.status, posted.headers.location]).toEqual([303, `/admin/packs/${packId}`]);
    const after = await agent.get(`/admin/packs/${packId}`);
    expect(visibleText(after.text)).toContain('Virement enregistré (daté du');
    const state = (await packOf(packId)).body;
    // Dated today, on the day of the order: from the order's own instant.
    expect(state).toMatchObject({ status: 'ACTIVE', paidAt: state.orderedAt });
  });

  test('the withdrawal form records a letter; its refund by transfer is in « À faire » with its due date until marked paid', async () => {
    const { packId, priceCents } = await paidByTransfer();
    const { agent, csrf } = await dashboard();
    const page = await agent.get(`/admin/packs/${packId}`);
    expect(fieldValue(page.text, 'withdrawal-received-on')).toBe(today());
    expect(visibleText(page.text)).toContain('Enregistrer une rétractation reçue par e-mail ou courrier');

    const future = await agent.post(`/admin/packs/${packId}/retractation`).type('form').send({ csrf, receivedOn: tomorrow() });
    expect(future.status).toBe(400);
    // Today at midnight, before the order was placed.
    const early = await agent
      .post(`/admin/packs/${packId}/retractation`)
      .type('form')
      .send({ csrf, receivedOn: today(), receivedTime: '00:00' });
    expect(early.status).toBe(400);
    expect(visibleText(early.text)).toContain('la date de réception ne peut pas précéder la commande');
    expect((await packOf(packId)).body.status).toBe('ACTIVE');

    const posted = await agent.post(`/admin/packs/${packId}/retractation`).type('form').send({ csrf, receivedOn: today() });
    expect(posted.status).toBe(303);
    const lastDay = DateTime.now().setZone(PARIS).plus({ days: 14 }).setLocale('fr').toFormat('cccc d LLLL yyyy');
    const flash = visibleText((await agent.get(`/admin/packs/${packId}`)).text);
    expect(flash).toContain(`par virement, à faire au plus tard le ${lastDay}`);

    const list = await until(
      async () => visibleText((await agent.get('/admin')).text),
      (text) => text.includes('Remboursement par virement à faire'),
      'the refund in « À faire »',
    );
    const euros = `${(priceCents / 100).toFixed(2).replace('.', ',')} €`;
    expect(list).toContain(`Remboursement par virement à faire — ${euros} (rétractation) · à faire au plus tard le ${lastDay}`);

    const html = (await agent.get('/admin')).text;
    const button = parseHtml(html)
      .querySelectorAll('[data-testid="pending-actions"] form')
      .map((f) => f.getAttribute('action') ?? '')
      .find((a) => a.startsWith('/admin/remboursements/'));
    expect(button).toBeDefined();
    const marked = await agent.post(button!).type('form').send({ csrf, retour: 'liste' });
    expect([marked.status, marked.headers.location]).toEqual([303, '/admin']);
    const gone = visibleText((await agent.get('/admin')).text);
    expect(gone).toContain('marqué comme effectué');
    expect(await w.db.prisma.providerTask.count({ where: { packId, doneAt: null } })).toBe(0);
  });
});
