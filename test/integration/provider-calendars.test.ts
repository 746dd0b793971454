import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DateTime } from 'luxon';
import request from 'supertest';
import { asClient, asProvider, paidPack } from '../support/api';
import { createGatewayWorld, PROVIDER_PASSWORD, type GatewayWorld } from '../support/gateway';
import { parseHtml, visibleText } from '../support/html';

/** An element's text as a reader sees it. */
const textOf = (el: { textContent: string }) => el.textContent.replace(/\s+/g, ' ').trim();
import { startRadicale, type RadicaleServer } from '../support/radicale';
import { until } from '../support/until';

// The provider's calendars, both ways, on the real stack (gateway, worker, Temporal dev server with the sync's
// Schedule, PostgreSQL): the private feed of sessions a calendar app subscribes to, and the provider's own calendar —
// a real CalDAV server (Radicale) and an ICS file served by this test — whose busy times close the slots they cover
// and make a booking over them SLOT_UNAVAILABLE.

const PARIS = 'Europe/Paris';
let w: GatewayWorld;
let radicale: RadicaleServer;

/** The ICS files this test serves, by path; a function answers the request itself. */
const served = new Map<string, string | ((res: http.ServerResponse) => void)>();
let icsServer: http.Server;
let icsBase: string;

beforeAll(async () => {
  [w, radicale] = await Promise.all([createGatewayWorld(), startRadicale()]);
  icsServer = http.createServer((req, res) => {
    const body = served.get(req.url ?? '');
    if (typeof body === 'function') return body(res);
    if (body === undefined) return res.writeHead(404).end('not found');
    res.writeHead(200, { 'content-type': 'text/calendar; charset=utf-8' }).end(body);
  });
  await new Promise<void>((r) => icsServer.listen(0, '127.0.0.1', r));
  icsBase = `http://127.0.0.1:${(icsServer.address() as AddressInfo).port}`;
}, 120_000);

afterAll(async () => {
  // The sync's Schedule lives on the shared Temporal server: removed with the calendar.
  if (w) await asProvider(request(w.app).delete('/api/admin/calendar'));
  icsServer?.closeAllConnections();
  await new Promise((r) => (icsServer ? icsServer.close(r) : r(undefined)));
  await radicale?.stop();
  await w?.teardown();
});

// ------------------------------------------------------------------------------------------------- helpers

/** A day ahead at a Paris wall time, as an ISO instant. */
const at = (daysAhead: number, time: string) => {
  const [h, m] = time.split(':').map(Number);
  return DateTime.now().setZone(PARIS).plus({ days: daysAhead }).set({ hour: h, minute: m, second: 0, millisecond: 0 }).toISO()!;
};
const icsUtc = (iso: string) => DateTime.fromISO(iso).toUTC().toFormat("yyyyMMdd'T'HHmmss'Z'");
const vcalendar = (...events: string[]) =>
  ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//tests//FR', ...events, 'END:VCALENDAR', ''].join('\r\n');
const vevent = (uid: string, startIso: string, endIso: string, extra: string[] = []) =>
  [
    'BEGIN:VEVENT',
    `UID:${uid}`,
    'DTSTAMP:20261101T000000Z',
    `DTSTART:${icsUtc(startIso)}`,
    `DTEND:${icsUtc(endIso)}`,
    ...extra,
    'END:VEVENT',
  ].join('\r\n');

interface CalendarView {
  source: null | {
    kind: string;
    url: string;
    lastAttemptAt: string | null;
    lastSuccessAt: string | null;
    busyCount: number | null;
    error: null | { code: string; label: string; message: string | null; since: string | null };
  };
  feedUrl: string;
}

const calendarView = async () => (await asProvider(request(w.app).get('/api/admin/calendar'))).body as CalendarView;

/** Connects a calendar through the API and waits for its first read. */
async function connect(body: Record<string, unknown>): Promise<CalendarView> {
  const res = await asProvider(request(w.app).put('/api/admin/calendar')).send(body);
  expect(res.status).toBe(200);
  return until(calendarView, (v) => Boolean(v.source?.lastAttemptAt), 'the first read of the calendar', { timeoutMs: 30_000 });
}

/** Asks for a read now (the Schedule's trigger) and waits for it. */
async function syncNow(): Promise<CalendarView> {
  const before = (await calendarView()).source?.lastAttemptAt ?? '';
  const res = await asProvider(request(w.app).post('/api/admin/calendar/sync'));
  expect(res.status).toBe(202);
  return until(calendarView, (v) => (v.source?.lastAttemptAt ?? '') > before, 'a read of the calendar', { timeoutMs: 30_000 });
}

const book = (pack: { packId: string; token: string }, start: string) =>
  asClient(pack.token)(request(w.app).post(`/api/packs/${pack.packId}/bookings`)).send({ start });

const slotsOf = async (pack: { packId: string; token: string }, from: string, to: string) =>
  (
    (await asClient(pack.token)(request(w.app).get(`/api/packs/${pack.packId}/slots`).query({ from, to }))).body as {
      slots: Array<{ start: string }>;
    }
  ).slots.map((s) => Date.parse(s.start));

async function adminAgent() {
  const agent = request.agent(w.app).set('accept', 'text/html');
  expect((await agent.post('/admin/connexion').type('form').send({ password: PROVIDER_PASSWORD })).status).toBe(303);
  const page = await agent.get('/admin/calendrier');
  const csrf = /name="csrf" value="([^"]+)"/.exec(page.text)![1];
  return { agent, csrf };
}

const feedOf = async (url: string) => request(w.app).get(new URL(url).pathname);

/** The VEVENT of a UID in a feed, as its lines (unfolded). */
function veventOf(ics: string, uid: string): string[] | undefined {
  const unfolded = ics.replace(/\r\n[ \t]/g, '');
  return unfolded
    .split('BEGIN:VEVENT')
    .slice(1)
    .map((e) => e.split('END:VEVENT')[0].split('\r\n').filter(Boolean))
    .find((lines) => lines.includes(`UID:${uid}`));
}
const prop = (lines: string[], name: string) =>
  lines.find((l) => l.startsWith(`${name}:`) || l.startsWith(`${name};`))?.replace(/^[^:]*:/, '');

// ------------------------------------------------------------------------------------------------- calendar out

describe('the private feed of the provider’s sessions (/calendar/<token>.ics)', () => {
  test('each session is one event with a stable UID: a move updates it (higher SEQUENCE), a cancellation marks it CANCELLED', async () => {
    const pack = await paidPack(w, { quantity: 10 });
    const { feedUrl } = await calendarView();
    expect(feedUrl).toMatch(new RegExp(`^${w.baseUrl}/calendar/[A-Za-z0-9_-]{32}\\.ics$`));

    const booked = await book(pack, at(20, '10:00'));
    expect(booked.status).toBe(201);
    const id = booked.body.booking.id as string;
    const first = await until(
      async () => (await feedOf(feedUrl)).text,
      (ics) => Boolean(veventOf(ics, `${id}@imaginasite.com`)),
      'the session in the feed',
    );
    const feed = await feedOf(feedUrl);
    expect(feed.status).toBe(200);
    expect(feed.headers['content-type']).toBe('text/calendar; charset=utf-8');
    const e1 = veventOf(first, `${id}@imaginasite.com`)!;
    expect(prop(e1, 'DTSTART')).toBe(icsUtc(at(20, '10:00')));
    expect(prop(e1, 'STATUS')).toBe('CONFIRMED');
    expect(prop(e1, 'SUMMARY')).toBe('Séance Léa Moreau (1 h)');

    const moved = await asClient(pack.token)(request(w.app).post(`/api/packs/${pack.packId}/bookings/${id}/reschedule`)).send({
      start: at(21, '14:00'),
    });
    expect(moved.status).toBe(200);
    const second = await until(
      async () => (await feedOf(feedUrl)).text,
      (ics) => prop(veventOf(ics, `${id}@imaginasite.com`)!, 'DTSTART') === icsUtc(at(21, '14:00')),
      'the move in the feed',
    );
    const e2 = veventOf(second, `${id}@imaginasite.com`)!;
    expect(second.split('BEGIN:VEVENT').length - 1).toBe(first.split('BEGIN:VEVENT').length - 1); // the same event, moved
    expect(Number(prop(e2, 'SEQUENCE'))).toBeGreaterThan(Number(prop(e1, 'SEQUENCE')));

    expect((await asClient(pack.token)(request(w.app).post(`/api/packs/${pack.packId}/bookings/${id}/cancel`))).status).toBe(200);
    const third = await until(
      async () => (await feedOf(feedUrl)).text,
      (ics) => prop(veventOf(ics, `${id}@imaginasite.com`)!, 'STATUS') === 'CANCELLED',
      'the cancellation in the feed',
    );
    const e3 = veventOf(third, `${id}@imaginasite.com`)!;
    expect(Number(prop(e3, 'SEQUENCE'))).toBeGreaterThan(Number(prop(e2, 'SEQUENCE')));
    expect(prop(e3, 'TRANSP')).toBe('TRANSPARENT');
  });

  test('the dashboard shows the address; revoking it makes a new one and the old one answers 404', async () => {
    const { agent, csrf } = await adminAgent();
    const page = parseHtml((await agent.get('/admin/calendrier')).text);
    const oldUrl = page.querySelector('[data-testid=feed-url]')!.getAttribute('value')!;
    expect((await feedOf(oldUrl)).status).toBe(200);
    const revoked = await agent.post('/admin/calendrier/flux/revoquer').type('form').send({ csrf });
    expect([revoked.status, revoked.headers.location]).toEqual([303, '/admin/calendrier']);
    const after = await agent.get('/admin/calendrier');
    expect(visibleText(after.text)).toContain('Nouvelle adresse créée : l’ancienne ne répond plus.');
    const newUrl = parseHtml(after.text).querySelector('[data-testid=feed-url]')!.getAttribute('value')!;
    expect(newUrl).not.toBe(oldUrl);
    expect((await feedOf(oldUrl)).status).toBe(404);
    expect((await feedOf(newUrl)).status).toBe(200);
    expect((await request(w.app).get('/calendar/not-a-token.ics')).status).toBe(404);
  });
});

// ------------------------------------------------------------------------------------------------- calendar in

describe('the provider’s own calendar closes the slots of its busy times', () => {
  test('an ICS address: a recurring appointment and an all-day event close their slots; a booking over one is SLOT_UNAVAILABLE', async () => {
    const pack = await paidPack(w, { quantity: 10 });
    // Every week at 10:00–11:00 Paris from 30 days ahead, and the whole of the day 33 days ahead.
    const weekly = [
      'BEGIN:VEVENT',
      'UID:weekly@tests',
      'DTSTAMP:20261101T000000Z',
      `DTSTART;TZID=Europe/Paris:${DateTime.fromISO(at(30, '10:00')).setZone(PARIS).toFormat("yyyyMMdd'T'HHmmss")}`,
      `DTEND;TZID=Europe/Paris:${DateTime.fromISO(at(30, '11:00')).setZone(PARIS).toFormat("yyyyMMdd'T'HHmmss")}`,
      'RRULE:FREQ=WEEKLY;COUNT=4',
      'END:VEVENT',
    ].join('\r\n');
    const day = DateTime.fromISO(at(33, '00:00')).setZone(PARIS);
    const allDay = [
      'BEGIN:VEVENT',
      'UID:allday@tests',
      'DTSTAMP:20261101T000000Z',
      `DTSTART;VALUE=DATE:${day.toFormat('yyyyMMdd')}`,
      'END:VEVENT',
    ].join('\r\n');
    served.set('/agenda.ics', vcalendar(weekly, allDay));
    const v = await connect({ kind: 'ics', url: `${icsBase}/agenda.ics`, intervalMinutes: 5 });
    expect(v.source).toMatchObject({ kind: 'ics', error: null, busyCount: 5 });

    for (const week of [30, 37]) {
      const slots = await slotsOf(pack, at(week, '08:00'), at(week, '13:00'));
      expect(slots).not.toContain(Date.parse(at(week, '10:00')));
      expect(slots).not.toContain(Date.parse(at(week, '09:30'))); // would run into the appointment
      expect(slots).toContain(Date.parse(at(week, '11:00')));
    }
    expect(await slotsOf(pack, at(33, '00:00'), at(34, '00:00'))).toEqual([]);
    const refused = await book(pack, at(37, '10:30'));
    expect([refused.status, refused.body.error?.code]).toEqual([409, 'SLOT_UNAVAILABLE']);
    expect((await book(pack, at(37, '11:00'))).status).toBe(201);
  });

  test('a CalDAV account (Radicale): the server’s address finds the calendar, its events close their slots', async () => {
    const pack = await paidPack(w, { quantity: 10 });
    await radicale.put('rdv', vcalendar(vevent('dentiste@tests', at(40, '15:00'), at(40, '16:30'))));
    const v = await connect({ kind: 'caldav', url: radicale.rootUrl, username: radicale.username, password: radicale.password });
    expect(v.source).toMatchObject({ kind: 'caldav', error: null, busyCount: 1 });
    const refused = await book(pack, at(40, '16:00'));
    expect([refused.status, refused.body.error?.code]).toEqual([409, 'SLOT_UNAVAILABLE']);

    // A new appointment in the calendar app is known at the next read.
    await radicale.put('rdv2', vcalendar(vevent('comptable@tests', at(41, '09:00'), at(41, '10:00'))));
    expect((await syncNow()).source).toMatchObject({ error: null, busyCount: 2 });
    expect((await book(pack, at(41, '09:00'))).body.error?.code).toBe('SLOT_UNAVAILABLE');
    // The password is kept encrypted, and never answered.
    const stored = await w.db.prisma.calendarSource.findUniqueOrThrow({ where: { id: 1 } });
    expect(stored.secret).toMatch(/^v1:/);
    expect(stored.secret).not.toContain(radicale.password);
    expect(JSON.stringify(await calendarView())).not.toContain(radicale.password);
  });

  test('a wrong CalDAV password is told on the dashboard in French, and nothing of the calendar is lost', async () => {
    const { agent, csrf } = await adminAgent();
    const posted = await agent
      .post('/admin/calendrier')
      .type('form')
      .send({ csrf, kind: 'caldav', url: radicale.calendarUrl, username: radicale.username, password: 'pas le bon', intervalMinutes: '5' });
    expect([posted.status, posted.headers.location]).toEqual([303, '/admin/calendrier']);
    const page = visibleText((await agent.get('/admin/calendrier')).text);
    expect(page).toContain('Votre agenda n’a pas pu être lu : identifiant ou mot de passe refusé par le serveur');
    expect((await calendarView()).source?.error?.code).toBe('CALENDAR_AUTH_FAILED');
  });

  test('an unreachable calendar keeps the last busy times, and the dashboard shows the error and its age', async () => {
    const pack = await paidPack(w, { quantity: 10 });
    served.set('/flaky.ics', vcalendar(vevent('rdv@flaky', at(45, '09:00'), at(45, '12:00'))));
    expect((await connect({ kind: 'ics', url: `${icsBase}/flaky.ics` })).source?.busyCount).toBe(1);
    served.set('/flaky.ics', (res) => res.writeHead(503).end('maintenance'));
    const failed = await syncNow();
    expect(failed.source?.error).toMatchObject({ code: 'CALENDAR_UNREACHABLE', message: 'le serveur du calendrier répond HTTP 503' });
    expect(failed.source?.lastSuccessAt).not.toBe(failed.source?.lastAttemptAt);

    // The appointment still closes its slots; other times are still booked.
    expect((await book(pack, at(45, '10:00'))).body.error?.code).toBe('SLOT_UNAVAILABLE');
    expect((await book(pack, at(45, '14:00'))).status).toBe(201);

    const { agent } = await adminAgent();
    for (const url of ['/admin', '/admin/calendrier']) {
      const html = (await agent.get(url)).text;
      const alert = textOf(parseHtml(html).querySelector('[data-testid=calendar-error]')!);
      expect(alert).toContain(
        'Votre agenda personnel n’a pas pu être lu (serveur du calendrier injoignable — le serveur du calendrier répond HTTP 503)',
      );
      expect(alert).toMatch(/en échec depuis (à l’instant|il y a \d+ minutes?)/);
      expect(alert).toContain('Les créneaux restent bloqués selon la dernière lecture réussie');
    }
  });

  test('a booking and a read of the calendar racing for the same hour: never both hold it, and a cancellation gives it back to the appointment', async () => {
    const pack = await paidPack(w, { quantity: 10 });
    const outcomes: string[] = [];
    for (let i = 0; i < 4; i++) {
      const start = at(50 + i, '10:00');
      served.set('/race.ics', vcalendar(vevent(`race-${i}@tests`, start, at(50 + i, '11:00'))));
      if (i === 0) await connect({ kind: 'ics', url: `${icsBase}/race.ics` });
      const before = (await calendarView()).source?.lastAttemptAt ?? '';
      const [booked] = await Promise.all([book(pack, start), asProvider(request(w.app).post('/api/admin/calendar/sync'))]);
      await until(calendarView, (v) => (v.source?.lastAttemptAt ?? '') > before, 'the read');
      const held = await w.db.prisma.$queryRaw<Array<{ source: string }>>`
        SELECT source FROM calendar_slot WHERE released_at IS NULL AND during && tstzrange(${new Date(start)}::timestamptz, ${new Date(start)}::timestamptz + interval '1 hour')`;
      // Exactly one holder of the hour: the session (booked first) or the appointment (read first).
      expect(held).toHaveLength(1);
      expect(held[0].source).toBe(booked.status === 201 ? 'booking' : 'calendar');
      if (booked.status !== 201) expect(booked.body.error?.code).toBe('SLOT_UNAVAILABLE');
      outcomes.push(booked.status === 201 ? 'booked' : 'refused');
      if (booked.status === 201) {
        // The appointment behind the session takes the hour back the moment the session is cancelled, not at the next read.
        expect(
          (await asClient(pack.token)(request(w.app).post(`/api/packs/${pack.packId}/bookings/${booked.body.booking.id}/cancel`))).status,
        ).toBe(200);
        await until(
          () => w.db.prisma.$queryRaw<Array<{ source: string }>>`
            SELECT source FROM calendar_slot WHERE released_at IS NULL AND during && tstzrange(${new Date(start)}::timestamptz, ${new Date(start)}::timestamptz + interval '1 hour')`,
          (rows) => rows.length === 1 && rows[0].source === 'calendar',
          'the appointment holding the hour again',
        );
        expect((await book(pack, start)).body.error?.code).toBe('SLOT_UNAVAILABLE');
      }
    }
    expect(outcomes).toHaveLength(4);
  });
});

// ------------------------------------------------------------------------------------------------- bad input

describe('a calendar given wrong', () => {
  test.each([
    [{ kind: 'ics', url: 'pas une adresse' }, 'url : adresse invalide'],
    [{ kind: 'ics', url: 'ftp://calendrier.exemple.fr/agenda.ics' }, 'url : l’adresse doit commencer par https://'],
    [{ kind: 'caldav', url: 'https://moi:secret@dav.exemple.fr/', username: 'moi', password: 'x' }, 'url : n’écrivez pas l’identifiant'],
    [{ kind: 'caldav', url: 'https://dav.exemple.fr/' }, 'username : indiquez l’identifiant de votre compte CalDAV'],
    [{ kind: 'caldav', url: 'https://dav.exemple.fr/', username: 'moi' }, 'password : indiquez le mot de passe'],
    [{ kind: 'ics', url: 'https://exemple.fr/a.ics', password: 'x' }, 'password : une adresse ICS se lit sans mot de passe'],
    [{ kind: 'google', url: 'https://exemple.fr/a.ics' }, 'kind : choisissez un compte CalDAV ou une adresse ICS'],
    [{ kind: 'ics', url: 'https://exemple.fr/a.ics', intervalMinutes: 0 }, 'intervalMinutes : un nombre entier de minutes, de 1 à 1440'],
    [{ kind: 'ics', url: 'https://exemple.fr/a.ics', token: 'x' }, 'corps : champ inconnu : token'],
    [[], 'corps : un objet JSON est attendu'],
  ])('PUT /api/admin/calendar %j → 400 VALIDATION_FAILED « %s »', async (body, message) => {
    const before = await w.db.prisma.calendarSource.findUnique({ where: { id: 1 } });
    const res = await asProvider(request(w.app).put('/api/admin/calendar')).send(body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code: 'VALIDATION_FAILED', message: expect.stringContaining(message) } });
    expect(res.body.error.message).toMatch(/^Données invalides — /);
    expect(await w.db.prisma.calendarSource.findUnique({ where: { id: 1 } })).toEqual(before);
  });

  test('without the provider’s token → 401; the dashboard’s form shows each error in French next to its field', async () => {
    expect((await request(w.app).put('/api/admin/calendar').send({ kind: 'ics', url: 'https://exemple.fr/a.ics' })).status).toBe(401);
    const { agent, csrf } = await adminAgent();
    const res = await agent
      .post('/admin/calendrier')
      .type('form')
      .send({ csrf, kind: 'caldav', url: 'webcal//exemple', username: '', password: '' });
    expect(res.status).toBe(400);
    const page = parseHtml(res.text);
    expect(page.querySelector('#calendar-url')!.getAttribute('aria-invalid')).toBe('true');
    expect(page.querySelector('#calendar-url')!.getAttribute('aria-describedby')).toContain('calendar-url-error');
    expect(page.querySelector('#calendar-url-error')!.textContent).toContain('Adresse invalide');
    expect(page.querySelector('#calendar-username-error')!.textContent).toBe('Indiquez l’identifiant de votre compte CalDAV.');
    expect(page.querySelector('[data-testid=calendar-form-errors]')!.getAttribute('role')).toBe('alert');
    expect(page.querySelector('#calendar-url')!.getAttribute('value')).toBe('webcal//exemple'); // kept as typed
  });
});

describe('a hostile calendar is bounded and never stalls the worker', () => {
  test('an endless 50 MB answer is cut at 5 MB (CALENDAR_TOO_LARGE) while bookings go on; the last busy times stay', async () => {
    const pack = await paidPack(w, { quantity: 10 });
    served.set('/ok.ics', vcalendar(vevent('kept@tests', at(60, '09:00'), at(60, '10:00'))));
    await connect({ kind: 'ics', url: `${icsBase}/ok.ics` });
    const chunk = Buffer.alloc(64 * 1024, 'X');
    served.set('/ok.ics', (res) => {
      res.writeHead(200, { 'content-type': 'text/calendar' });
      let sent = 0;
      const pump = () => {
        while (sent < 50 * 1024 * 1024) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('close', () => (sent = Infinity));
      pump();
    });
    const before = (await calendarView()).source?.lastAttemptAt ?? '';
    const started = Date.now();
    await asProvider(request(w.app).post('/api/admin/calendar/sync'));
    // Meanwhile the worker serves bookings as usual.
    expect((await book(pack, at(61, '09:00'))).status).toBe(201);
    const v = await until(calendarView, (x) => (x.source?.lastAttemptAt ?? '') > before, 'the read', { timeoutMs: 30_000 });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(v.source?.error).toMatchObject({ code: 'CALENDAR_TOO_LARGE', message: 'le calendrier dépasse 5 Mo : il n’a pas été lu' });
    expect((await book(pack, at(60, '09:00'))).body.error?.code).toBe('SLOT_UNAVAILABLE');
  });

  test('a malformed answer is CALENDAR_MALFORMED, and an endless recurrence is read up to its limits', async () => {
    served.set('/bad.ics', '<html><body>Erreur 500</body></html>');
    const bad = await connect({ kind: 'ics', url: `${icsBase}/bad.ics` });
    expect(bad.source?.error?.code).toBe('CALENDAR_MALFORMED');
    served.set(
      '/bad.ics',
      vcalendar(
        [
          'BEGIN:VEVENT',
          'UID:every-second@tests',
          'DTSTAMP:20261101T000000Z',
          'DTSTART:20261101T000000Z',
          'DURATION:PT1S',
          'RRULE:FREQ=SECONDLY',
          'END:VEVENT',
        ].join('\r\n'),
      ),
    );
    const endless = await syncNow();
    // Read, with a warning: the occurrences up to the limit, in one busy range of 20,000 seconds from 1 November.
    expect(endless.source).toMatchObject({ busyCount: expect.any(Number), error: { code: 'CALENDAR_TOO_COMPLEX' } });
    expect(endless.source!.lastSuccessAt).toBe(endless.source!.lastAttemptAt);
  });
});
