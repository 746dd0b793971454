// A Zoom meeting per session (issue 17, point 4), against a local FAKE of Zoom's API (test/support/zoom-fake.ts):
// Zoom cannot be reached from our machines, so what is proven here is what the product asks of Zoom, in Zoom's
// published shapes, and what it does with the answers — not Zoom itself.
import pg from 'pg';
import request from 'supertest';
import { createMeetings, meetingMarker } from '../../src/activities/meetings';
import { createZoomClient } from '../../src/infra/zoom';
import type { PackEvent } from '../../src/workflows/pack/model';
import { asClient, asProvider, paidPack } from '../support/api';
import { createGatewayWorld, PROVIDER_PASSWORD, type GatewayWorld } from '../support/gateway';
import { DAY, HOUR, hourAfter } from '../support/time';
import { until } from '../support/until';
import { startZoomFake, type ZoomFake } from '../support/zoom-fake';

const FIXED = 'https://zoom.us/j/123456789'; // the gateway world's ZOOM_MEETING_URL

let zoom: ZoomFake;
let w: GatewayWorld;
beforeAll(async () => {
  zoom = await startZoomFake();
  w = await createGatewayWorld({ zoom: { ...zoom.credentials, apiUrl: zoom.apiUrl, oauthUrl: zoom.oauthUrl, userId: 'me' } });
});
afterAll(async () => {
  await w?.teardown();
  await zoom?.stop();
});

let hour = 0;
const nextStart = () => hourAfter(Date.now(), 3 * DAY + hour++ * 2 * HOUR);
const book = async (pack: { packId: string; token: string }, start: string) => {
  const res = await asClient(pack.token)(request(w.app).post(`/api/packs/${pack.packId}/bookings`)).send({ start });
  expect(res.status).toBe(201);
  return res.body.booking as { id: string; start: string; end: string; status: string };
};
const meetingOf = (bookingId: string) => [...zoom.meetings.values()].find((m) => m.topic.includes(meetingMarker(bookingId)));
const mailTo = (email: string, subject: RegExp) => w.sink.waitFor((m) => m.to.includes(email) && subject.test(m.subject), 20_000);

test('fake Zoom API: a confirmed session gets a meeting of its own, whose link the email, the invite, the agenda and the feeds carry', async () => {
  const email = `zoom.${Date.now()}@example.org`;
  const pack = await paidPack(w, { customer: { name: 'Zélie Zoom', email } });
  const b = await book(pack, nextStart());
  const mail = await mailTo(email, /^Séance confirmée/);
  const meeting = meetingOf(b.id)!;
  expect(meeting).toMatchObject({
    start_time: new Date(b.start).toISOString().replace('.000Z', 'Z'),
    duration: 60,
    timezone: 'Europe/Paris',
    settings: { join_before_host: false, waiting_room: true },
  });
  expect(mail.text).toContain(`Lien Zoom : ${meeting.join_url}`);
  expect(mail.text).not.toContain(FIXED);
  const invite = mail.parsed.attachments.find((a) => a.contentType.startsWith('text/calendar'));
  expect(invite?.content.toString('utf8').replace(/\r\n /g, '')).toContain(`LOCATION:${meeting.join_url}`);
  // Zoom was asked with a token of the Server-to-Server app, for the account's own user.
  expect(zoom.calls.filter((c) => c.method === 'POST').map((c) => c.path)).toContain('/users/me/meetings');

  // The provider's agenda and calendar feed, and the invite the client downloads from the portal.
  const admin = request.agent(w.app).set('accept', 'text/html');
  expect((await admin.post('/admin/connexion').type('form').send({ password: PROVIDER_PASSWORD })).status).toBe(303);
  const week = new Date(b.start).toISOString().slice(0, 10);
  expect((await admin.get(`/admin?semaine=${week}`)).text).toContain(`href="${meeting.join_url.replace(/&/g, '&amp;')}"`);
  const feed = await asProvider(request(w.app).get('/api/admin/calendar'));
  const feedUrl = new URL(feed.body.feedUrl as string);
  expect((await request(w.app).get(feedUrl.pathname)).text.replace(/\r\n /g, '')).toContain(meeting.join_url);
});

test('fake Zoom API: a moved session moves its meeting, keeping its link; a cancelled one deletes it', async () => {
  const email = `zoom.move.${Date.now()}@example.org`;
  const pack = await paidPack(w, { customer: { name: 'Zoé Zoom', email }, quantity: 2 });
  const b = await book(pack, nextStart());
  await mailTo(email, /^Séance confirmée/);
  const meeting = meetingOf(b.id)!;
  const to = nextStart();
  const moved = await asClient(pack.token)(request(w.app).post(`/api/packs/${pack.packId}/bookings/${b.id}/reschedule`)).send({
    start: to,
  });
  expect(moved.status).toBe(200);
  const movedMail = await mailTo(email, /^Séance déplacée/);
  expect(movedMail.text).toContain(meeting.join_url);
  expect(zoom.calls).toContainEqual({
    method: 'PATCH',
    path: `/meetings/${meeting.id}`,
    body: { start_time: new Date(to).toISOString().replace('.000Z', 'Z'), duration: 60, timezone: 'Europe/Paris' },
  });
  expect(meetingOf(b.id)).toMatchObject({ id: meeting.id, start_time: new Date(to).toISOString().replace('.000Z', 'Z') });
  expect([...zoom.meetings.values()].filter((m) => m.topic.includes(b.id))).toHaveLength(1);

  const cancelled = await asClient(pack.token)(request(w.app).post(`/api/packs/${pack.packId}/bookings/${b.id}/cancel`));
  expect(cancelled.status).toBe(200);
  await until(
    () => Promise.resolve(zoom.meetings.has(meeting.id)),
    (exists) => !exists,
    'the meeting to be deleted',
  );
  expect(zoom.calls).toContainEqual({ method: 'DELETE', path: `/meetings/${meeting.id}`, body: undefined });
});

test('fake Zoom API down: the email carries the fixed ZOOM_MEETING_URL, and the session gets its meeting once Zoom answers again', async () => {
  const email = `zoom.down.${Date.now()}@example.org`;
  const pack = await paidPack(w, { customer: { name: 'Zacharie Zoom', email }, quantity: 2 });
  zoom.failWith = 503;
  let b: Awaited<ReturnType<typeof book>>;
  try {
    b = await book(pack, nextStart());
    const mail = await mailTo(email, /^Séance confirmée/);
    expect(mail.text).toContain(`Lien Zoom : ${FIXED}`);
    expect(meetingOf(b.id)).toBeUndefined();
  } finally {
    zoom.failWith = null;
  }
  await asClient(pack.token)(request(w.app).post(`/api/packs/${pack.packId}/bookings/${b.id}/reschedule`)).send({ start: nextStart() });
  const movedMail = await mailTo(email, /^Séance déplacée/);
  const meeting = meetingOf(b.id)!;
  expect(meeting).toBeDefined();
  expect(movedMail.text).toContain(meeting.join_url);
});

describe('the meetings module, on PostgreSQL and the fake Zoom API', () => {
  let pool: pg.Pool;
  beforeAll(() => {
    pool = new pg.Pool({ connectionString: w.db.url, max: 4 });
  });
  afterAll(async () => {
    await pool?.end();
  });
  const warnings: string[] = [];
  const meetings = () =>
    createMeetings({
      pool,
      zoom: createZoomClient({ ...zoom.credentials, apiUrl: zoom.apiUrl, oauthUrl: zoom.oauthUrl, userId: 'me' }),
      timezone: 'Europe/Paris',
      warn: (m) => warnings.push(m),
    });
  const event = (type: string, bookingId: string, start: string): PackEvent => ({
    key: `1:${type}`,
    seq: 1,
    type,
    atMs: Date.now(),
    data: { bookingId, start, end: new Date(Date.parse(start) + HOUR).toISOString(), status: 'CONFIRMED' },
    emails: [],
  });
  const packId = '00000000-0000-4000-8000-000000000001';

  test('the same events recorded twice (a retried activity) make one meeting; a reminder finds it', async () => {
    const bookingId = '10000000-0000-4000-8000-000000000001';
    const start = nextStart();
    const m = meetings();
    const first = await m.sync(packId, [event('BOOKING_CONFIRMED', bookingId, start)]);
    const again = await m.sync(packId, [event('BOOKING_CONFIRMED', bookingId, start)]);
    const reminder = await m.sync(packId, [event('SESSION_REMINDER', bookingId, start)]);
    expect([again.get(bookingId), reminder.get(bookingId)]).toEqual([first.get(bookingId), first.get(bookingId)]);
    expect([...zoom.meetings.values()].filter((x) => x.topic.includes(bookingId))).toHaveLength(1);
  });

  test('a meeting made by an attempt that died before recording it is found again on Zoom, not made twice', async () => {
    const bookingId = '10000000-0000-4000-8000-000000000002';
    const start = nextStart();
    // The dead attempt: its row written, Zoom asked, the answer never recorded.
    await pool.query('INSERT INTO zoom_meeting (booking_id, pack_id) VALUES ($1, $2)', [bookingId, packId]);
    const z = createZoomClient({ ...zoom.credentials, apiUrl: zoom.apiUrl, oauthUrl: zoom.oauthUrl, userId: 'me' });
    const orphan = await z.createMeeting({
      topic: `Séance imaginasite (${meetingMarker(bookingId)})`,
      agenda: '',
      startTime: new Date(start).toISOString(),
      durationMinutes: 60,
      timezone: 'Europe/Paris',
    });
    const links = await meetings().sync(packId, [event('BOOKING_CONFIRMED', bookingId, start)]);
    expect(links.get(bookingId)).toBe(orphan.joinUrl);
    expect([...zoom.meetings.values()].filter((x) => x.topic.includes(bookingId))).toHaveLength(1);
    const row = await pool.query<{ meeting_id: string }>('SELECT meeting_id FROM zoom_meeting WHERE booking_id = $1', [bookingId]);
    expect(row.rows[0].meeting_id).toBe(orphan.id);
  });

  test('an access token Zoom no longer accepts is renewed once, and the call goes through', async () => {
    const bookingId = '10000000-0000-4000-8000-000000000003';
    const m = meetings();
    await m.sync(packId, [event('BOOKING_CONFIRMED', bookingId, nextStart())]);
    const issued = zoom.tokensIssued;
    zoom.revokeTokens();
    await m.sync(packId, [event('BOOKING_CANCELLED', bookingId, nextStart())]);
    expect(zoom.tokensIssued).toBe(issued + 1);
    expect([...zoom.meetings.values()].filter((x) => x.topic.includes(bookingId))).toHaveLength(0);
    expect(warnings).toEqual([]);
  });
});
