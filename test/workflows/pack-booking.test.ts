import { WorkflowUpdateFailedError } from '@temporalio/client';
import {
  cancelBooking,
  confirmBooking,
  declineBooking,
  reportNoShow,
  requestBooking,
  rescheduleBooking,
  waivePenalty,
} from '../../src/shared/pack';
import type { SinkMessage } from '../../src/infra/smtp-sink';
import { createPackWorld, freeHour, refusal, saveHistory, type PackWorld } from '../support/packs';
import { DAY, HOUR, hourAfter, MINUTE } from '../support/time';
import { until } from '../support/until';

// Booking rules of the pack workflow on the time-skipping server: timers take no real time.
describe('booking a session', () => {
  let w: PackWorld;
  beforeAll(async () => {
    w = await createPackWorld();
  });
  afterAll(async () => {
    await w?.teardown();
  });

  test('booking before the payment is received is refused with PAYMENT_PENDING', async () => {
    const h = await w.order({ paymentMethod: 'bank_transfer' });
    const start = hourAfter(await w.now(), 3 * DAY);
    expect(await refusal(h.executeUpdate(requestBooking, { args: [{ start }] }))).toBe('PAYMENT_PENDING');
    expect((await w.state(h)).bookings).toHaveLength(0);
  });

  test('a session that would end after the pack expires is refused with AFTER_EXPIRY', async () => {
    const h = await w.order();
    const paid = await w.pay(h);
    const expiresAt = Date.parse(paid.expiresAt!);
    const tooLate = new Date(Math.ceil(expiresAt / MINUTE) * MINUTE - 30 * MINUTE).toISOString(); // ends 30 min after expiry
    expect(await refusal(h.executeUpdate(requestBooking, { args: [{ start: tooLate }] }))).toBe('AFTER_EXPIRY');
    const lastPossible = new Date(Math.floor(expiresAt / MINUTE) * MINUTE - HOUR).toISOString(); // ends at expiry
    const { booking } = await h.executeUpdate(requestBooking, { args: [{ start: lastPossible }] });
    expect(booking.status).toBe('CONFIRMED');
  });

  test('a pack cannot book more hours than it has left (INSUFFICIENT_HOURS)', async () => {
    const h = await w.order({ packCode: 'PACK_1H', quantity: 1 });
    await w.pay(h);
    await h.executeUpdate(requestBooking, { args: [{ start: await freeHour(w, 3 * DAY) }] });
    expect(await refusal(h.executeUpdate(requestBooking, { args: [{ start: await freeHour(w, 4 * DAY) }] }))).toBe('INSUFFICIENT_HOURS');
  });

  test('a half-day pack books one 3-hour block and a day pack one 6-hour block plus the break', async () => {
    const half = await w.order({ packCode: 'PACK_HALF_DAY' });
    const day = await w.order({ packCode: 'PACK_DAY' });
    await Promise.all([w.pay(half), w.pay(day)]);
    const a = (await half.executeUpdate(requestBooking, { args: [{ start: await freeHour(w, 5 * DAY, 8 * HOUR, 3 * HOUR) }] })).booking;
    const b = (await day.executeUpdate(requestBooking, { args: [{ start: await freeHour(w, 6 * DAY, 8 * HOUR, 7 * HOUR) }] })).booking;
    expect([a.hours, Date.parse(a.end) - Date.parse(a.start)]).toEqual([3, 3 * HOUR]);
    expect([b.hours, Date.parse(b.end) - Date.parse(b.start)]).toEqual([6, 7 * HOUR]);
    expect((await w.state(half)).hours).toMatchObject({ total: 3, reserved: 3, available: 0 });
  });

  test('two packs racing for one slot: exactly one wins, the other gets SLOT_UNAVAILABLE', async () => {
    const packs = await Promise.all([w.order(), w.order(), w.order(), w.order()]);
    await Promise.all(packs.map((h) => w.pay(h)));
    const start = await freeHour(w, 10 * DAY);
    const results = await Promise.allSettled(packs.map((h) => h.executeUpdate(requestBooking, { args: [{ start }] })));
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(3);
    for (const err of lost) expect(await refusal(Promise.reject(err as Error))).toBe('SLOT_UNAVAILABLE');
    // The losers keep their hours.
    for (const h of packs) expect((await w.state(h)).hours.available + (await w.state(h)).hours.reserved).toBe(1);
  });

  test('the buffer after a session keeps the next one from starting right after it', async () => {
    await w.setAvailability({ bufferMinutes: 30 });
    try {
      const [a, b] = await Promise.all([w.order(), w.order()]);
      await Promise.all([w.pay(a), w.pay(b)]);
      const start = Date.parse(await freeHour(w, 12 * DAY));
      await a.executeUpdate(requestBooking, { args: [{ start: new Date(start).toISOString() }] });
      const rightAfter = new Date(start + HOUR + 15 * MINUTE).toISOString();
      expect(await refusal(b.executeUpdate(requestBooking, { args: [{ start: rightAfter }] }))).toBe('SLOT_UNAVAILABLE');
      const afterBuffer = new Date(start + HOUR + 30 * MINUTE).toISOString();
      expect((await b.executeUpdate(requestBooking, { args: [{ start: afterBuffer }] })).booking.status).toBe('CONFIRMED');
    } finally {
      await w.setAvailability({ bufferMinutes: 0 });
    }
  });

  test('a request outside the provider’s opening hours is refused with OUTSIDE_AVAILABILITY, one too close with TOO_SOON', async () => {
    await w.setAvailability({ weekly: [1, 2, 3, 4, 5].map((day) => ({ day, from: '09:00', to: '18:00' })), minNoticeHours: 48 });
    try {
      const h = await w.order({ quantity: 2 });
      await w.pay(h);
      const now = await w.now();
      // 03:00 Paris is outside 09:00–18:00 whatever the day.
      const night = new Date(Math.ceil((now + 5 * DAY) / DAY) * DAY + 2 * HOUR).toISOString(); // 02:00Z = 03:00 Paris in winter
      expect(await refusal(h.executeUpdate(requestBooking, { args: [{ start: night }] }))).toBe('OUTSIDE_AVAILABILITY');
      expect(await refusal(h.executeUpdate(requestBooking, { args: [{ start: await freeHour(w, 2 * HOUR) }] }))).toBe('TOO_SOON');
    } finally {
      await w.setAvailability({ weekly: [1, 2, 3, 4, 5, 6, 7].map((day) => ({ day, from: '00:00', to: '24:00' })), minNoticeHours: 0 });
    }
  });

  test('without auto-confirmation a request waits for the provider, who confirms or declines it', async () => {
    await w.setAvailability({ autoConfirm: false });
    try {
      const h = await w.order({ quantity: 3 });
      await w.pay(h);
      const a = (await h.executeUpdate(requestBooking, { args: [{ start: await freeHour(w, 3 * DAY) }] })).booking;
      const b = (await h.executeUpdate(requestBooking, { args: [{ start: await freeHour(w, 4 * DAY) }] })).booking;
      expect([a.status, b.status]).toEqual(['REQUESTED', 'REQUESTED']);
      expect((await h.executeUpdate(confirmBooking, { args: [{ bookingId: a.id }] })).booking.status).toBe('CONFIRMED');
      expect((await h.executeUpdate(declineBooking, { args: [{ bookingId: b.id, reason: 'indisponible' }] })).booking.status).toBe(
        'DECLINED',
      );
      const s = await w.state(h);
      expect(s.hours).toMatchObject({ reserved: 1, available: 2 });
      // The declined range is free again for anyone.
      const other = await w.order();
      await w.pay(other);
      await w.setAvailability({ autoConfirm: true });
      // The release is one of the pack's effects, carried out just after the answer: wait for it, as a client would.
      await until(
        () => w.db.prisma.calendarSlot.count({ where: { bookingId: b.id, releasedAt: null } }),
        (held) => held === 0,
        'the declined session’s range to be released',
        { intervalMs: 50 },
      );
      const r = await other.executeUpdate(requestBooking, { args: [{ start: b.start }] });
      expect(r.booking.status).toBe('CONFIRMED');
      await saveHistory(w, h, 'confirm-and-decline');
    } finally {
      await w.setAvailability({ autoConfirm: true });
    }
  });

  test('a request the provider never answers is declined at its start time and its hours return', async () => {
    await w.setAvailability({ autoConfirm: false });
    const h = await w.order();
    await w.pay(h);
    const { booking } = await h.executeUpdate(requestBooking, { args: [{ start: await freeHour(w, 2 * DAY) }] });
    await w.setAvailability({ autoConfirm: true });
    await w.env.sleep(2 * DAY + HOUR);
    const s = await w.until(h, (x) => x.bookings[0].status === 'DECLINED', 'the unanswered request to be declined');
    expect(s.hours).toMatchObject({ reserved: 0, available: 1, used: 0 });
    expect(s.bookings[0].id).toBe(booking.id);
    await saveHistory(w, h, 'request-unanswered');
  });

  test('no-show reported after the start bills the hours; the provider’s waiver gives them back', async () => {
    const h = await w.order({ quantity: 2 });
    await w.pay(h);
    const { booking } = await h.executeUpdate(requestBooking, { args: [{ start: await freeHour(w, 2 * DAY) }] });
    expect(await refusal(h.executeUpdate(reportNoShow, { args: [{ bookingId: booking.id }] }))).toBe('BOOKING_NOT_CANCELLABLE');
    await w.env.sleep(Date.parse(booking.start) - (await w.now()) + 10 * MINUTE);
    await w.until(h, (s) => s.nextTimers.every((t) => t.kind !== 'SESSION_START'), 'the session to start');
    const noShow = await h.executeUpdate(reportNoShow, { args: [{ bookingId: booking.id }] });
    expect(noShow.booking.status).toBe('NO_SHOW');
    expect((await w.state(h)).hours).toMatchObject({ forfeited: 1, available: 1 });
    const waived = await h.executeUpdate(waivePenalty, { args: [{ bookingId: booking.id }] });
    expect(waived.hoursReturned).toBe(1);
    expect((await w.state(h)).hours).toMatchObject({ forfeited: 0, used: 0, available: 2 });
    await saveHistory(w, h, 'no-show-then-waiver');
  });

  test('a cancellation by the provider never costs the client, even an hour before the start', async () => {
    const h = await w.order();
    await w.pay(h);
    const { booking } = await h.executeUpdate(requestBooking, { args: [{ start: await freeHour(w, 2 * DAY) }] });
    await w.env.sleep(Date.parse(booking.start) - (await w.now()) - HOUR);
    const res = await h.executeUpdate(cancelBooking, { args: [{ bookingId: booking.id, by: 'provider' }] });
    expect(res).toMatchObject({ penalty: false, hoursReturned: 1 });
    expect((await w.state(h)).hours).toMatchObject({ forfeited: 0, available: 1 });
  });

  test('a session that has begun can no longer be cancelled (BOOKING_NOT_CANCELLABLE); an unknown one is BOOKING_NOT_FOUND', async () => {
    const h = await w.order();
    await w.pay(h);
    const { booking } = await h.executeUpdate(requestBooking, { args: [{ start: await freeHour(w, 2 * DAY) }] });
    await w.env.sleep(Date.parse(booking.start) - (await w.now()) + MINUTE);
    expect(await refusal(h.executeUpdate(cancelBooking, { args: [{ bookingId: booking.id, by: 'client' }] }))).toBe(
      'BOOKING_NOT_CANCELLABLE',
    );
    expect(
      await refusal(h.executeUpdate(cancelBooking, { args: [{ bookingId: '00000000-0000-4000-8000-000000000000', by: 'client' }] })),
    ).toBe('BOOKING_NOT_FOUND');
  });

  test('rescheduling more than 24 h ahead moves the same session for free; less than 24 h ahead bills it and books anew', async () => {
    const h = await w.order({ quantity: 3 });
    await w.pay(h);
    const { booking } = await h.executeUpdate(requestBooking, { args: [{ start: await freeHour(w, 3 * DAY) }] });
    const moved = await h.executeUpdate(rescheduleBooking, { args: [{ bookingId: booking.id, start: await freeHour(w, 4 * DAY) }] });
    expect(moved).toMatchObject({ penalty: false, booking: { id: booking.id, status: 'CONFIRMED', revision: 1 } });
    await w.env.sleep(Date.parse(moved.booking.start) - (await w.now()) - 12 * HOUR);
    const late = await h.executeUpdate(rescheduleBooking, { args: [{ bookingId: booking.id, start: await freeHour(w, 3 * DAY) }] });
    expect(late.penalty).toBe(true);
    expect(late.billedBooking?.status).toBe('LATE_CANCELLED');
    expect(late.booking.id).not.toBe(booking.id);
    expect((await w.state(h)).hours).toMatchObject({ total: 3, forfeited: 1, reserved: 1, available: 1 });
    await saveHistory(w, h, 'reschedule-free-then-late');
  });

  test('a confirmed session the client moves without auto-confirmation awaits the provider, and every message says so', async () => {
    const email = `deplacement.${Date.now()}@example.org`;
    const h = await w.order({ quantity: 2, email });
    const { packId } = await w.pay(h);
    const { booking } = await h.executeUpdate(requestBooking, { args: [{ start: await freeHour(w, 3 * DAY) }] });
    await w.setAvailability({ autoConfirm: false });
    try {
      const to = await freeHour(w, 5 * DAY);
      const moved = await h.executeUpdate(rescheduleBooking, { args: [{ bookingId: booking.id, start: to }] });
      expect(moved.booking).toMatchObject({ id: booking.id, status: 'REQUESTED', start: to });

      const toClient = await mailOf(w, email, packId, 'BOOKING_RESCHEDULED');
      expect(toClient.subject).toContain('en attente de confirmation');
      expect(toClient.text).toContain('en attente de confirmation par le prestataire');
      expect(toClient.text).toContain("L'ancien créneau");
      expect(toClient.text).toContain('est libéré');
      expect(invite(toClient)).toMatchObject({ method: 'REQUEST', uid: `${booking.id}@imaginasite.com`, status: 'TENTATIVE', sequence: 1 });

      const toProvider = await mailOf(w, 'prestataire@imaginasite.test', packId, 'PROVIDER_BOOKING_RESCHEDULED');
      expect(toProvider.text).toContain('attend votre confirmation');
      expect(toProvider.text).toContain(`http://localhost:3000/admin/packs/${packId}`);

      await h.executeUpdate(confirmBooking, { args: [{ bookingId: booking.id }] });
      // The first booking's confirmation, then the moved session's.
      const confirmed = invite(await mailOf(w, email, packId, 'BOOKING_CONFIRMED', 2));
      expect(confirmed).toMatchObject({ method: 'REQUEST', uid: `${booking.id}@imaginasite.com`, status: 'CONFIRMED' });
      expect(confirmed.sequence).toBeGreaterThan(invite(toClient).sequence);
    } finally {
      await w.setAvailability({ autoConfirm: true });
    }
  });

  test('an update with a malformed start is refused with VALIDATION_FAILED and changes nothing', async () => {
    const h = await w.order();
    await w.pay(h);
    for (const start of ['demain', '2027-01-01', '2027-01-01T10:00:00', '2027-01-01T10:00:30Z']) {
      const err = await h.executeUpdate(requestBooking, { args: [{ start }] }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
      expect(await refusal(Promise.reject(err as Error))).toBe('VALIDATION_FAILED');
    }
    expect((await w.state(h)).bookings).toHaveLength(0);
  });
});

/** The emails of one template a pack sent to an address, oldest first (each carries its outbox key). */
function mailsOf(w: PackWorld, to: string, packId: string, template: string): SinkMessage[] {
  return w.mails(to).filter((m) => {
    const key = m.parsed.headers.get('x-imaginasite-key');
    return typeof key === 'string' && key.startsWith(`${packId}:`) && key.endsWith(`:${template}`);
  });
}

/** Waits for the `n`th email of a template to an address, as the SMTP sink received it. */
async function mailOf(w: PackWorld, to: string, packId: string, template: string, n = 1): Promise<SinkMessage> {
  await w.sink.waitFor(() => mailsOf(w, to, packId, template).length >= n);
  return mailsOf(w, to, packId, template)[n - 1];
}

/** The calendar invite attached to an email, as a calendar reads it. */
function invite(m: SinkMessage): { method?: string; uid?: string; status?: string; sequence: number } {
  const ics = (m.parsed.attachments ?? []).map((a) => a.content.toString('utf8')).find((t) => t.includes('BEGIN:VCALENDAR'));
  if (!ics) throw new Error(`no invite attached to « ${m.subject} »`);
  const unfolded = ics.replace(/\r\n /g, '');
  const field = (name: string) => new RegExp(`^${name}:(.*)$`, 'm').exec(unfolded)?.[1]?.trim();
  return { method: field('METHOD'), uid: field('UID'), status: field('STATUS'), sequence: Number(field('SEQUENCE')) };
}
