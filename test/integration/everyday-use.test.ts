import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import { promisify } from 'node:util';
import request from 'supertest';
import { DateTime } from 'luxon';
import { asProvider, packUntil, paidPack, placeOrder } from '../support/api';
import { createGatewayWorld, PROVIDER_PASSWORD, PROVIDER_TOKEN, type GatewayWorld } from '../support/gateway';
import { parseHtml, visibleText } from '../support/html';
import { openPortal, orderFormCsrf } from '../support/portal';
import { CONSENTS, OPEN_ALL_THE_TIME } from '../support/packs';
import { DAY, HOUR } from '../support/time';
import { until } from '../support/until';

// What people hit when they use the product every day (issue 12): the portal's slots, the provider's lists and
// forms, the Temporal CLI through the codec, orders from another host name, French messages everywhere.
const OFFICE_HOURS = { ...OPEN_ALL_THE_TIME, weekly: [1, 2, 3, 4, 5].map((day) => ({ day, from: '09:00', to: '18:00' })) };

let w: GatewayWorld;
beforeAll(async () => {
  w = await createGatewayWorld({ encrypted: true });
});
afterAll(async () => {
  await w?.teardown();
});

type Agent = ReturnType<typeof request.agent>;
const browser = (): Agent => request.agent(w.app).set('accept', 'text/html');
const setAvailability = async (a: object) =>
  expect((await asProvider(request(w.app).put('/api/admin/availability')).send(a)).status).toBe(200);

/** A paid pack opened in a browser's portal through its magic link. */
async function portalOf(body: Record<string, unknown> = {}) {
  const pack = await paidPack(w, body);
  const agent = browser();
  await openPortal(agent, pack.token);
  return { ...pack, agent };
}

async function adminAgent() {
  const agent = browser();
  expect((await agent.post('/admin/connexion').type('form').send({ password: PROVIDER_PASSWORD })).status).toBe(303);
  return agent;
}
const csrfOf = (html: string) => parseHtml(html).querySelector('input[name=csrf]')!.getAttribute('value')!;

/** The starts a page offers, as Paris « HH:mm » grouped by Paris day. */
function offeredStarts(html: string): Map<string, string[]> {
  const days = new Map<string, string[]>();
  for (const b of parseHtml(html).querySelectorAll('[data-slot]')) {
    const t = DateTime.fromISO(b.getAttribute('data-slot')!, { zone: 'Europe/Paris' });
    days.set(t.toISODate()!, [...(days.get(t.toISODate()!) ?? []), t.toFormat('HH:mm')]);
  }
  return days;
}

describe('the portal offers every bookable start', () => {
  test('with opening hours 09:00–18:00, each open day of the week shows every start from 09h00 to 17h00, and the next week is one link away', async () => {
    await setAvailability(OFFICE_HOURS);
    try {
      const o = await portalOf({ quantity: 2 });
      const res = await o.agent.get('/espace');
      expect(res.status).toBe(200);
      const days = offeredStarts(res.text);
      const every = Array.from({ length: 17 }, (_, i) => `${String(9 + Math.floor(i / 2)).padStart(2, '0')}:${i % 2 ? '30' : '00'}`);
      // Every weekday after today within the week shown has all 17 starts (today's may already be past).
      const today = DateTime.now().setZone('Europe/Paris').toISODate()!;
      const full = [...days].filter(([day]) => day > today && DateTime.fromISO(day).weekday <= 5);
      expect(full.length).toBeGreaterThan(0);
      for (const [, starts] of full) expect(starts).toEqual(every);
      // The API offers the same afternoon starts: 16h00 is bookable from the page.
      const next = parseHtml(res.text).querySelector('[data-testid=next-period]')!.getAttribute('href')!;
      const following = await o.agent.get(next);
      const nextDays = offeredStarts(following.text);
      expect([...nextDays.keys()].every((d) => d >= next.slice(-10))).toBe(true);
      expect([...nextDays.values()].some((starts) => starts.includes('17:00'))).toBe(true);
    } finally {
      await setAvailability(OPEN_ALL_THE_TIME);
    }
  });

  test('moving a session 30 minutes later onto part of its own time is accepted from the portal', async () => {
    const o = await portalOf();
    const start = new Date(Math.ceil((Date.now() + 3 * DAY) / HOUR) * HOUR).toISOString();
    const booked = await request(w.app).post(`/api/packs/${o.packId}/bookings`).set('authorization', `Bearer ${o.token}`).send({ start });
    expect(booked.status).toBe(201);
    const page = await o.agent.get(`/espace/seances/${booked.body.booking.id}/deplacer`);
    const later = new Date(Date.parse(start) + 30 * 60_000).toISOString();
    expect(page.text).toContain(`data-slot="${later}"`);
    const moved = await o.agent
      .post(`/espace/seances/${booked.body.booking.id}/deplacer`)
      .type('form')
      .send({ csrf: csrfOf(page.text), start: later });
    expect([moved.status, moved.headers.location]).toEqual([303, '/espace']);
    expect(visibleText((await o.agent.get('/espace')).text)).toContain('Séance déplacée sans frais');
  });
});

describe('the provider’s lists and forms', () => {
  test('the packs list reads in French, with the amount, the payment method and the transfer reference of each order', async () => {
    const res = await placeOrder(w, {
      packCode: 'PACK_HALF_DAY',
      customer: { name: 'Agathe Liste', email: `liste.${Date.now()}@example.org` },
    });
    const { bankReference } = await w.db.prisma.pack.findUniqueOrThrow({ where: { id: res.body.packId } });
    const list = await (await adminAgent()).get('/admin/packs?filtre=attente');
    const row = parseHtml(list.text)
      .querySelectorAll('tbody tr')
      .find((tr) => tr.textContent.includes('Agathe Liste'))!;
    const cell = (label: string) => row.querySelector(`td[data-label="${label}"]`)!.textContent.replace(/\s+/g, ' ').trim();
    expect(cell('Pack')).toBe('Pack 1/2 journée (3 heures consécutives)');
    expect(cell('Statut')).toBe('En attente de paiement');
    expect(cell('Montant')).toBe('240,00 €');
    expect(cell('Paiement')).toBe(`Virement réf. ${bankReference}`);
    expect(list.text).not.toMatch(/PACK_HALF_DAY|AWAITING_PAYMENT|bank_transfer/);
  });

  test('after an action the provider reads what was done; a session can be moved for the client from its page', async () => {
    await setAvailability({ ...OPEN_ALL_THE_TIME, autoConfirm: false });
    try {
      const o = await paidPack(w, { quantity: 2 });
      const start = new Date(Math.ceil((Date.now() + 4 * DAY) / HOUR) * HOUR).toISOString();
      const { booking } = (
        await request(w.app).post(`/api/packs/${o.packId}/bookings`).set('authorization', `Bearer ${o.token}`).send({ start })
      ).body;
      const admin = await adminAgent();
      const detail = await admin.get(`/admin/packs/${o.packId}`);
      const confirmed = await admin
        .post(`/admin/packs/${o.packId}/seances/${booking.id}/confirm`)
        .type('form')
        .send({ csrf: csrfOf(detail.text) });
      expect(confirmed.status).toBe(303);
      const after = visibleText((await admin.get(`/admin/packs/${o.packId}`)).text);
      expect(after).toMatch(/Séance du .+ confirmée : le client en est informé par e-mail\./);
      expect(after).not.toContain('C’est fait');
      const movePage = await admin.get(`/admin/packs/${o.packId}/seances/${booking.id}/deplacer`);
      expect(movePage.status).toBe(200);
      const to = parseHtml(movePage.text)
        .querySelectorAll('[data-slot]')
        .map((b) => b.getAttribute('data-slot')!)
        .find((s) => Date.parse(s) > Date.parse(start) + DAY)!;
      const moved = await admin
        .post(`/admin/packs/${o.packId}/seances/${booking.id}/deplacer`)
        .type('form')
        .send({ csrf: csrfOf(movePage.text), start: to });
      expect([moved.status, moved.headers.location]).toEqual([303, `/admin/packs/${o.packId}`]);
      expect(visibleText((await admin.get(`/admin/packs/${o.packId}`)).text)).toMatch(
        /Séance déplacée au .+ : le client en est informé par e-mail\./,
      );
      const s = await packUntil(w, o, (x) => (x.bookings as Array<{ start: string }>)[0].start === to, 'the move');
      expect((s.bookings as Array<{ status: string }>)[0].status).toBe('CONFIRMED');
    } finally {
      await setAvailability(OPEN_ALL_THE_TIME);
    }
  });

  test('opening hours and exceptions are edited with time and date fields; a range ending before it starts is refused with a French reason', async () => {
    const admin = await adminAgent();
    try {
      const form = await admin.get('/admin/disponibilites');
      const csrf = csrfOf(form.text);
      expect(parseHtml(form.text).querySelectorAll('input[type=time]').length).toBeGreaterThanOrEqual(28);
      const bad = await admin
        .post('/admin/disponibilites')
        .type('form')
        .send({ csrf, d1_from1: '18:00', d1_to1: '09:00', minNoticeHours: '0', bufferMinutes: '0', exceptionRows: '3' });
      expect(bad.status).toBe(400);
      expect(visibleText(bad.text)).toContain('lundi : la plage 1 doit finir après son début (18:00 – 09:00).');
      const good = await admin.post('/admin/disponibilites').type('form').send({
        csrf,
        d1_from1: '09:00',
        d1_to1: '12:00',
        d1_from2: '14:00',
        d1_to2: '18:00',
        d6_from1: '10:00',
        d6_to1: '00:00',
        exceptionRows: '3',
        ex0_date: '2031-12-25',
        ex0_closed: 'yes',
        ex1_date: '2031-12-31',
        ex1_from: '09:00',
        ex1_to: '12:00',
        minNoticeHours: '24',
        bufferMinutes: '10',
      });
      expect([good.status, good.headers.location]).toEqual([303, '/admin/disponibilites']);
      expect((await asProvider(request(w.app).get('/api/admin/availability'))).body).toMatchObject({
        weekly: [
          { day: 1, from: '09:00', to: '12:00' },
          { day: 1, from: '14:00', to: '18:00' },
          { day: 6, from: '10:00', to: '24:00' },
        ],
        exceptions: [
          { date: '2031-12-25', closed: true },
          { date: '2031-12-31', from: '09:00', to: '12:00' },
        ],
        minNoticeHours: 24,
        bufferMinutes: 10,
        autoConfirm: false,
      });
      const shown = parseHtml((await admin.get('/admin/disponibilites')).text);
      expect(shown.querySelector('#d1_from2')!.getAttribute('value')).toBe('14:00');
      expect(shown.querySelector('#ex0_date')!.getAttribute('value')).toBe('2031-12-25');
    } finally {
      await setAvailability(OPEN_ALL_THE_TIME);
    }
  });
});

describe('the Temporal CLI reads packs through the codec', () => {
  test('`temporal workflow query --codec-endpoint <PUBLIC_URL>/codec` shows a pack’s decrypted state', async () => {
    await w.listen();
    const o = await paidPack(w);
    const { stdout } = await promisify(execFile)(
      process.env.TEMPORAL_CLI_PATH!,
      [
        'workflow',
        'query',
        '--workflow-id',
        `pack-${o.packId}`,
        '--name',
        'getPackState',
        '--address',
        process.env.TEST_TEMPORAL_ADDRESS!,
        '--namespace',
        'default',
        '--codec-endpoint',
        `${w.baseUrl}/codec`,
        '--codec-auth',
        `Bearer ${PROVIDER_TOKEN}`,
        '--output',
        'json',
      ],
      { timeout: 30_000 },
    );
    const compact = stdout.replace(/\s/g, '');
    expect(compact).toContain(`"packId":"${o.packId}"`);
    expect(compact).toContain('"status":"ACTIVE"');
  });

  test('an empty list of payloads (or none) is valid for /codec/encode and /codec/decode', async () => {
    for (const path of ['/codec/encode', '/codec/decode']) {
      for (const body of [{}, { payloads: [] }]) {
        const res = await asProvider(request(w.app).post(path)).send(body);
        expect([path, res.status, res.body]).toEqual([path, 200, { payloads: [] }]);
      }
    }
  });
});

describe('orders from another host name', () => {
  test('a page opened on another host name is sent to PUBLIC_URL before its form is shown; the API answers on any host', async () => {
    const res = await request(w.app).get('/commander?pack=PACK_DAY').set('host', 'localhost').set('accept', 'text/html');
    expect([res.status, res.headers.location]).toEqual([308, `${w.baseUrl}/commander?pack=PACK_DAY`]);
    expect((await request(w.app).get('/api/catalog').set('host', 'localhost')).status).toBe(200);
    expect((await request(w.app).get('/commander').set('accept', 'text/html')).status).toBe(200);
  });
});

describe('French messages and quantities', () => {
  const order = (body: Record<string, unknown>) =>
    request(w.app)
      .post('/api/orders')
      .send({
        packCode: 'PACK_1H',
        customer: { name: 'Léa Moreau', email: `m.${crypto.randomUUID()}@example.org` },
        paymentMethod: 'card',
        consents: CONSENTS,
        ...body,
      });

  test('a missing body or field is refused in French, naming the field', async () => {
    const none = await request(w.app).post('/api/orders').send();
    expect(none.status).toBe(400);
    expect(none.body.error.message).not.toMatch(/Invalid|expected|received/);
    const noCustomer = await order({ customer: undefined });
    expect(noCustomer.body.error.message).toContain('customer : Indiquez le client');
    const wrongKind = await order({ quantity: 'deux' });
    expect(wrongKind.body.error.message).toContain('quantity : La quantité doit être un nombre entier.');
  });

  test('PACK_DAY with quantity 2 is refused with VALIDATION_FAILED naming quantity (never silently sold once)', async () => {
    const res = await order({ packCode: 'PACK_DAY', quantity: 2 });
    expect([res.status, res.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(res.body.error.message).toContain('quantity : Ce pack se vend à l’unité');
    expect(await w.db.prisma.pack.count({ where: { packCode: 'PACK_DAY', quantity: 2 } })).toBe(0);
  });

  test('a one-letter name says what is wrong; an empty email asks for it', async () => {
    const res = await order({ customer: { name: 'A', email: '' } });
    expect(res.body.error.message).toContain('customer.name : Le nom doit comporter au moins 2 caractères.');
    expect(res.body.error.message).toContain('customer.email : Indiquez votre adresse e-mail.');
    expect(res.body.error.message).not.toContain('e-mail invalide');
  });
});

describe('wording', () => {
  test('the order button says ordering means paying, for a card and a transfer alike, right after the total; the home cards say what a session is', async () => {
    for (const paymentMethod of ['card', 'bank_transfer']) {
      const agent = request.agent(w.app).set('accept', 'text/html');
      const csrf = await orderFormCsrf(agent);
      const review = await agent
        .post('/commander')
        .type('form')
        .send({
          csrf,
          packCode: 'PACK_1H',
          quantity: '3',
          name: 'Léa Moreau',
          email: 'lea@example.org',
          paymentMethod,
          ...Object.fromEntries(Object.keys(CONSENTS).map((k) => [k, 'yes'])),
        });
      expect(review.status).toBe(200);
      const page = parseHtml(review.text);
      expect(page.querySelector('[data-testid=order-total]')!.textContent).toContain('270,00 € TTC');
      expect(page.querySelector('[data-testid=place-order]')!.textContent).toBe('Commander avec obligation de paiement');
    }
    const home = visibleText((await request(w.app).get('/').set('accept', 'text/html')).text);
    expect(home).toContain("Des séances d'une heure, à réserver à votre rythme (de 1 à 10 heures dans un même pack).");
    expect(home).toContain('Une séance de 3 heures consécutives.');
    expect(home).toContain('Une séance de 6 heures consécutives, plus 1 h de pause.');
    expect(home).not.toContain('1 h, séances de 1 h');
  });

  test('/commande/virement without its order points to the email and the portal; /commande/merci says the pack is active once it is', async () => {
    const alone = await request(w.app).get('/commande/virement').set('accept', 'text/html');
    expect(alone.status).toBe(200);
    expect(visibleText(alone.text)).toContain('envoyées par e-mail');
    expect(visibleText(alone.text)).not.toContain('expiré');
    const o = await paidPack(w);
    const thanks = await browser().get(`/commande/merci?token=${encodeURIComponent(o.token)}`);
    expect(parseHtml(thanks.text).querySelector('[data-testid=payment-state]')!.textContent).toContain('votre pack est actif');
  });

  test('error pages carry the site’s header and footer; the dashboard its own footer; the favicon is served', async () => {
    const missing = await request(w.app).get('/nulle-part').set('accept', 'text/html');
    expect(missing.status).toBe(404);
    const page = parseHtml(missing.text);
    expect(page.querySelector('header.top a.brand')).not.toBeNull();
    expect(page.querySelector('footer a[href="/cgv"]')).not.toBeNull();
    const login = parseHtml((await request(w.app).get('/admin/connexion').set('accept', 'text/html')).text);
    expect(login.querySelector('footer')!.textContent).toContain('Espace prestataire');
    expect(login.querySelector('footer a[href="/espace/lien"]')).toBeNull();
    const icon = await request(w.app).get('/static/favicon.svg');
    expect([icon.status, icon.headers['content-type']]).toEqual([200, 'image/svg+xml']);
  });

  test('no empty aria-describedby; the portal’s sessions table names every column; the move page keeps its heading levels', async () => {
    const o = await portalOf();
    const start = new Date(Math.ceil((Date.now() + 3 * DAY) / HOUR) * HOUR + 7 * HOUR).toISOString();
    const { booking } = (
      await request(w.app).post(`/api/packs/${o.packId}/bookings`).set('authorization', `Bearer ${o.token}`).send({ start })
    ).body;
    const portal = await until(
      () => o.agent.get('/espace'),
      (r) => r.text.includes(booking.id),
      'the booking on the portal',
    );
    for (const html of [portal.text, (await request(w.app).get('/commander').set('accept', 'text/html')).text]) {
      expect(html).not.toContain('aria-describedby=""');
    }
    for (const th of parseHtml(portal.text).querySelectorAll('th')) expect(th.textContent.trim()).not.toBe('');
    const move = parseHtml((await o.agent.get(`/espace/seances/${booking.id}/deplacer`)).text);
    const levels = move.querySelectorAll('h1, h2, h3').map((h) => Number(h.tagName[1]));
    levels.forEach((l, i) => i > 0 && expect(l - levels[i - 1]).toBeLessThanOrEqual(1));
  });
});
