import crypto from 'node:crypto';
import { DateTime } from 'luxon';
import request from 'supertest';
import { asClient, paidPack, placeOrder } from '../support/api';
import { createGatewayWorld, PROVIDER_PASSWORD, type GatewayWorld } from '../support/gateway';
import { parseHtml, visibleText } from '../support/html';

/** An element's text as a reader sees it. */
const textOf = (el: { textContent: string }) => el.textContent.replace(/\s+/g, ' ').trim();
import { until } from '../support/until';

// The provider's working day (`/admin`): the week's sessions day by day, what waits on the provider, and the month's
// figures. Real packs where the stack makes them quickly (a confirmed session, a request, a transfer awaited); rows
// of the projection tables for what only time makes (a session already begun, a pack about to expire, a past month).

const PARIS = 'Europe/Paris';
let w: GatewayWorld;

beforeAll(async () => {
  w = await createGatewayWorld();
}, 120_000);
afterAll(async () => {
  await w?.teardown();
});

async function admin() {
  const agent = request.agent(w.app).set('accept', 'text/html');
  expect((await agent.post('/admin/connexion').type('form').send({ password: PROVIDER_PASSWORD })).status).toBe(303);
  const home = await agent.get('/admin');
  return { agent, csrf: /name="csrf" value="([^"]+)"/.exec(home.text)![1] };
}

const at = (daysAhead: number, time: string) => {
  const [h, m] = time.split(':').map(Number);
  return DateTime.now().setZone(PARIS).plus({ days: daysAhead }).set({ hour: h, minute: m, second: 0, millisecond: 0 });
};

/** A pack and its customer written straight into the projection (what the workflow's activities write). */
async function projectedPack(p: {
  name: string;
  status: string;
  totalHours: number;
  hoursAvailable: number;
  paidAt?: Date | null;
  expiresAt?: Date | null;
}): Promise<string> {
  const id = crypto.randomUUID();
  const customerId = crypto.randomUUID();
  await w.db.prisma
    .$executeRaw`INSERT INTO customer (id, name, email) VALUES (${customerId}::uuid, ${p.name}, ${`${customerId}@example.org`})`;
  await w.db.prisma.$executeRaw`
    INSERT INTO pack (id, customer_id, order_key, pack_code, quantity, total_hours, session_hours, break_minutes, price_cents, currency,
                      payment_method, bank_reference, status, ordered_at, payment_deadline, paid_at, expires_at, hours_available, updated_at)
    VALUES (${id}::uuid, ${customerId}::uuid, ${id}, 'PACK_1H', ${p.totalHours}, ${p.totalHours}, 1, 0, ${p.totalHours * 9000}, 'EUR',
            'card', ${`REF-${id.slice(0, 8)}`}, ${p.status}, now() - interval '60 days', now() - interval '53 days', ${p.paidAt ?? null},
            ${p.expiresAt ?? null}, ${p.hoursAvailable}, now())`;
  return id;
}

async function projectedBooking(packId: string, start: Date, hours: number, status: string, penaltyWaived = false): Promise<string> {
  const id = crypto.randomUUID();
  await w.db.prisma.$executeRaw`
    INSERT INTO booking (id, pack_id, start, "end", hours, status, penalty_waived, revision, updated_at)
    VALUES (${id}::uuid, ${packId}::uuid, ${start}, ${new Date(start.getTime() + hours * 3_600_000)}, ${hours}, ${status}, ${penaltyWaived}, 1, now())`;
  return id;
}

test('the dashboard opens on the agenda; the packs’ list is at /admin/packs, and its old filtered addresses lead there', async () => {
  const { agent } = await admin();
  const home = await agent.get('/admin');
  expect(home.status).toBe(200);
  expect(home.text).toContain('<h1>Agenda</h1>');
  const nav = parseHtml(home.text)
    .querySelectorAll('header nav a')
    .map((a) => [a.textContent, a.getAttribute('href')]);
  expect(nav).toEqual(
    expect.arrayContaining([
      ['Agenda', '/admin'],
      ['Packs', '/admin/packs'],
      ['Calendriers', '/admin/calendrier'],
    ]),
  );
  const old = await agent.get('/admin?filtre=attente');
  expect([old.status, old.headers.location]).toEqual([301, '/admin/packs?filtre=attente']);
  expect((await agent.get('/admin/packs?filtre=attente')).text).toContain('<h1>Packs</h1>');
});

test('the week shows each session by day with its client, pack, hours, status and Zoom link; previous and next weeks are one link away', async () => {
  const pack = await paidPack(w, { quantity: 10, customer: { name: 'Inès Agenda', email: `ines.${Date.now()}@example.org` } });
  const start = at(9, '14:30');
  const booked = await asClient(pack.token)(request(w.app).post(`/api/packs/${pack.packId}/bookings`)).send({ start: start.toISO() });
  expect(booked.status).toBe(201);
  const { agent } = await admin();
  const monday = start.startOf('week').toISODate()!;
  const page = await until(
    async () => (await agent.get(`/admin?semaine=${start.toISODate()}`)).text,
    (html) => html.includes(booked.body.booking.id as string),
    'the session in the agenda',
  );
  const doc = parseHtml(page);
  expect(textOf(doc.querySelector('#agenda-week')!)).toBe(
    `Semaine du ${start.startOf('week').setLocale('fr').toFormat('cccc d LLLL yyyy')} au ${start.endOf('week').setLocale('fr').toFormat('cccc d LLLL yyyy')} (heure de Paris)`,
  );
  const day = doc.querySelector(`section[data-day="${start.toISODate()}"]`)!;
  expect(day.querySelector('h3')!.textContent).toBe(start.setLocale('fr').toFormat('cccc d LLLL yyyy'));
  const row = day.querySelector(`tr[data-booking="${booked.body.booking.id}"]`)!;
  const cell = (label: string) => row.querySelector(`td[data-label="${label}"]`)!.textContent.trim();
  expect(cell('Heure')).toBe('14h30 – 15h30');
  expect(cell('Client')).toBe('Inès Agenda');
  expect(cell('Pack')).toBe('Pack 1 heure');
  expect(cell('Heures')).toBe('1');
  expect(cell('Statut')).toBe('Confirmée');
  expect(row.querySelector('td[data-label="Zoom"] a')!.getAttribute('href')).toBe(w.app.ctx.config.ZOOM_MEETING_URL);
  const pager = doc.querySelectorAll('nav[aria-label="Autres semaines"] a').map((a) => a.getAttribute('href'));
  const prev = DateTime.fromISO(monday, { zone: PARIS }).minus({ weeks: 1 }).toISODate();
  const next = DateTime.fromISO(monday, { zone: PARIS }).plus({ weeks: 1 }).toISODate();
  expect(pager).toEqual(expect.arrayContaining([`/admin?semaine=${prev}`, `/admin?semaine=${next}`]));
  const nextWeek = await agent.get(`/admin?semaine=${next}`);
  expect(nextWeek.text).not.toContain(booked.body.booking.id as string);
});

test('« À faire » lists the requests to answer (answered from there), the transfers to record, the refunds due, the absences still reportable and the packs about to expire', async () => {
  await w.db.prisma.$executeRaw`UPDATE availability SET auto_confirm = false WHERE id = 1`;
  const asking = await paidPack(w, { quantity: 5, customer: { name: 'Paul Demande', email: `paul.${Date.now()}@example.org` } });
  const request1 = await asClient(asking.token)(request(w.app).post(`/api/packs/${asking.packId}/bookings`)).send({
    start: at(12, '09:00').toISO(),
  });
  expect(request1.body.booking.status).toBe('REQUESTED');
  await w.db.prisma.$executeRaw`UPDATE availability SET auto_confirm = true WHERE id = 1`;
  const transfer = await placeOrder(w, { customer: { name: 'Vera Virement', email: `vera.${Date.now()}@example.org` } });
  expect(transfer.status).toBe(201);
  const { bankReference } = await w.db.prisma.pack.findUniqueOrThrow({ where: { id: transfer.body.packId } });

  // What only time makes: a session begun yesterday, one begun ten days ago (past the 7-day window), packs near their end.
  const open = await projectedPack({
    name: 'Nora Absente',
    status: 'ACTIVE',
    totalHours: 5,
    hoursAvailable: 3,
    expiresAt: at(40, '00:00').toJSDate(),
  });
  const recent = await projectedBooking(open, at(-1, '10:00').toJSDate(), 1, 'CONFIRMED');
  const old = await projectedBooking(open, at(-10, '10:00').toJSDate(), 1, 'HELD');
  const soon = await projectedPack({
    name: 'Élise Bientôt',
    status: 'ACTIVE',
    totalHours: 5,
    hoursAvailable: 2,
    expiresAt: at(6, '12:00').toJSDate(),
  });
  const soonEmpty = await projectedPack({
    name: 'Zoé Vide',
    status: 'ACTIVE',
    totalHours: 5,
    hoursAvailable: 0,
    expiresAt: at(6, '12:00').toJSDate(),
  });
  const later = await projectedPack({
    name: 'Yves Tard',
    status: 'ACTIVE',
    totalHours: 5,
    hoursAvailable: 4,
    expiresAt: at(25, '12:00').toJSDate(),
  });
  const due = at(9, '00:00').startOf('day').toJSDate();
  await w.db.prisma.$executeRaw`
    INSERT INTO provider_task (key, pack_id, kind, amount_cents, details, due_at)
    VALUES (${`refund:withdrawal:${open}`}, ${open}::uuid, 'BANK_REFUND', 12000, '{"reason": "WITHDRAWAL"}'::jsonb, ${due})`;

  const { agent, csrf } = await admin();
  const doc = parseHtml((await agent.get('/admin')).text);
  const list = (id: string) => doc.querySelector(`[data-testid=${id}]`);
  const requests = list('booking-requests')!;
  expect(textOf(requests)).toContain(
    `Paul Demande — ${at(12, '09:00').setLocale('fr').toFormat("cccc d LLLL yyyy 'à' HH'h'mm")} (1 h, Pack 1 heure)`,
  );
  const confirm = requests.querySelectorAll('form').find((f) => f.getAttribute('action')!.endsWith('/confirm'))!;
  expect(confirm.getAttribute('action')).toBe(`/admin/packs/${asking.packId}/seances/${request1.body.booking.id}/confirm`);
  expect(requests.querySelectorAll('button').map((b) => b.textContent)).toEqual(['Confirmer', 'Refuser']);

  const transfers = textOf(list('transfers-awaited')!);
  expect(transfers).toContain(`Vera Virement — 90,00 € (Pack 1 heure), référence ${bankReference}`);
  expect(list('transfers-awaited')!.querySelector('a')!.getAttribute('href')).toBe(`/admin/packs/${transfer.body.packId}`);

  expect(textOf(list('pending-actions')!)).toContain(
    `Remboursement par virement à faire — 120,00 € (rétractation) · à faire au plus tard le ${at(8, '00:00').setLocale('fr').toFormat('cccc d LLLL yyyy')}`,
  );

  const noShows = list('no-show-reportable')!;
  expect(noShows.querySelector(`li[data-booking="${recent}"]`)).not.toBeNull();
  expect(noShows.querySelector(`li[data-booking="${old}"]`)).toBeNull();
  expect(textOf(noShows)).toContain(`signalable jusqu’au ${at(6, '11:00').setLocale('fr').toFormat("cccc d LLLL yyyy 'à' HH'h'mm")}`);
  expect(noShows.querySelector('button')!.textContent).toBe('Signaler l’absence de Nora Absente');

  const expiring = list('packs-expiring')!;
  expect(textOf(expiring.querySelector(`li[data-pack="${soon}"]`)!)).toContain(
    'Élise Bientôt — Pack 1 heure, 2 heure(s) restante(s), expire le',
  );
  expect(expiring.querySelector(`li[data-pack="${soonEmpty}"]`)).toBeNull();
  expect(expiring.querySelector(`li[data-pack="${later}"]`)).toBeNull();

  // Confirmed from the agenda, back to the agenda, and the request leaves the list.
  const done = await agent
    .post(`/admin/packs/${asking.packId}/seances/${request1.body.booking.id}/confirm`)
    .type('form')
    .send({ csrf, retour: 'agenda' });
  expect([done.status, done.headers.location]).toEqual([303, '/admin']);
  // The page the redirect lands on says what was done (the message is shown once, on that page).
  expect(visibleText((await agent.get('/admin')).text)).toContain('confirmée : le client en est informé par e-mail');
  await until(
    async () => (await agent.get('/admin')).text,
    (html) => !parseHtml(html).querySelector(`[data-testid=booking-requests] li[data-booking="${request1.body.booking.id}"]`),
    'the request answered',
  );
});

test('the month’s figures: hours sold, held, billed (late cancellations and absences, not waived), lost at expiry; amounts cashed and refunded', async () => {
  const month = DateTime.fromISO('2025-03-01T00:00:00', { zone: PARIS });
  const inMonth = (day: number, hour = 10) => month.set({ day, hour }).toJSDate();
  const sold = await projectedPack({ name: 'Mars Vendu', status: 'EXPIRED', totalHours: 10, hoursAvailable: 0, paidAt: inMonth(2) });
  await projectedPack({
    name: 'Avril Vendu',
    status: 'ACTIVE',
    totalHours: 3,
    hoursAvailable: 3,
    paidAt: month.plus({ months: 1 }).toJSDate(),
  });
  await projectedBooking(sold, inMonth(5), 3, 'HELD');
  await projectedBooking(sold, inMonth(6), 1, 'LATE_CANCELLED');
  await projectedBooking(sold, inMonth(7), 2, 'NO_SHOW');
  await projectedBooking(sold, inMonth(8), 1, 'NO_SHOW', true);
  await projectedBooking(sold, inMonth(9), 1, 'CANCELLED');
  await w.db.prisma.$executeRaw`INSERT INTO pack_event (pack_id, key, type, at, data)
    VALUES (${sold}::uuid, 'expired', 'PACK_EXPIRED', ${inMonth(31)}, '{"hoursLost": 4}'::jsonb)`;
  await w.db.prisma.$executeRaw`INSERT INTO payment (pack_id, idempotency_key, method, amount_cents, reference, paid_at, outcome)
    VALUES (${sold}::uuid, ${`pay-${sold}`}, 'card', 90000, 'pi_mars', ${inMonth(2)}, 'ACCEPTED')`;
  await w.db.prisma.$executeRaw`INSERT INTO refund (key, pack_id, method, amount_cents, status, created_at)
    VALUES (${`card-${sold}`}, ${sold}::uuid, 'card', 12000, 'REFUNDED', ${inMonth(20)})`;
  await w.db.prisma.$executeRaw`INSERT INTO provider_task (key, pack_id, kind, amount_cents, details, done_at)
    VALUES (${`refund:bank-${sold}`}, ${sold}::uuid, 'BANK_REFUND', 5000, '{}'::jsonb, ${inMonth(21)})`;

  const { agent } = await admin();
  const doc = parseHtml((await agent.get('/admin?mois=2025-03')).text);
  const summary = doc.querySelector('[data-testid=month-summary]')!;
  expect(summary.querySelector('h2')!.textContent).toBe('Bilan de mars 2025');
  const figure = (id: string) => summary.querySelector(`[data-testid=${id}]`)!.textContent;
  expect([figure('hours-sold'), figure('hours-held'), figure('hours-billed'), figure('hours-lost')]).toEqual(['10', '3', '3', '4']);
  expect([figure('cashed'), figure('refunded')]).toEqual(['900,00 €', '170,00 €']);
  expect(summary.querySelectorAll('nav a').map((a) => a.getAttribute('href'))).toEqual(['/admin?mois=2025-02', '/admin?mois=2025-04']);
});
