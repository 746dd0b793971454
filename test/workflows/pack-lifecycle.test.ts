import crypto from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { DateTime } from 'luxon';
import { frenchDateTime } from '../../src/shared/format';
import { cancelBooking, paymentReceived, requestBooking, rescheduleBooking, withdraw, type PackState } from '../../src/shared/pack';
import type { packWorkflow } from '../../src/workflows/pack/workflow';
import { createPackWorld, freeHour, refusal, saveHistory, timeline, type PackWorld } from '../support/packs';
import { DAY, HOUR, MINUTE } from '../support/time';
import { until } from '../support/until';

type Pack = WorkflowHandle<typeof packWorkflow>;

const PARIS = 'Europe/Paris';
const PROVIDER = 'prestataire@imaginasite.test';

// Email subjects the client and the provider see (src/activities/emails/templates.ts).
const WITHDRAWN = 'Rétractation enregistrée';
const PAYMENT_REMINDER = 'Rappel : votre commande attend son paiement';
const CANCELLED_UNPAID = 'Votre commande a été annulée faute de paiement';
const PAYMENT_REFUNDED = 'Votre paiement va vous être remboursé';
const PAYMENT_CONFIRMED = 'Paiement reçu : votre pack est actif';
const EXPIRY_WARNING = 'Votre pack expire le';
const EXPIRED = 'Votre pack est arrivé à échéance';
const USED_UP = 'Votre pack est entièrement utilisé';
const SESSION_REMINDER = 'Rappel : séance';

// The pack's whole life on the time-skipping server: payment deadline, withdrawal, expiry, reminders, closing.
describe('a pack’s life', () => {
  let w: PackWorld;
  beforeAll(async () => {
    w = await createPackWorld();
  });
  afterAll(async () => {
    await w?.teardown();
  });

  /** A client address of its own, so each test reads only its own inbox. */
  const newClient = (tag: string) => `${tag}.${crypto.randomBytes(5).toString('hex')}@example.org`;

  /** Subjects received by an address, in arrival order. */
  const subjects = (to: string) => w.mails(to).map((m) => m.subject);
  const count = (to: string, prefix: string) => subjects(to).filter((s) => s.startsWith(prefix)).length;

  /** Waits until `to` has received at least `n` emails whose subject starts with `prefix`, then until the pack's outbox is empty. */
  async function received(to: string, prefix: string, packId: string, n = 1): Promise<string[]> {
    await until(
      () => count(to, prefix),
      (c) => c >= n,
      `${n} email(s) “${prefix}…” to ${to}`,
    );
    await w.mailsSettled(packId);
    return subjects(to).filter((s) => s.startsWith(prefix));
  }

  const refunds = (packId: string) => w.db.prisma.refund.findMany({ where: { packId }, orderBy: { createdAt: 'asc' } });

  /** Sleeps (skipped time) until `atMs` on the workflow clock. */
  async function sleepUntil(atMs: number): Promise<void> {
    const d = atMs - (await w.now());
    if (d > 0) await w.env.sleep(d);
  }

  async function paidPack(o: Parameters<PackWorld['order']>[0] = {}): Promise<{ h: Pack; s: PackState; email: string }> {
    const email = o.email ?? newClient('client');
    const h = await w.order({ ...o, email });
    const s = await w.pay(h);
    expect(s.status).toBe('ACTIVE');
    return { h, s, email };
  }

  // ------------------------------------------------------------------------------------------- withdrawal

  test('withdrawal on day 13 with no session started refunds the card in full, tells the client and closes after the linger period', async () => {
    const email = newClient('retract13');
    const h = await w.order({ email });
    const paid = await w.pay(h);
    await sleepUntil(Date.parse(paid.orderedAt) + 13 * DAY);
    expect((await w.state(h)).withdrawal.allowed).toBe(true);

    const res = await h.executeUpdate(withdraw);
    const withdrawnAt = await w.now();
    expect(res).toEqual({ status: 'WITHDRAWN', refund: { method: 'card', amountCents: paid.priceCents } });

    const rows = await until(
      () => refunds(paid.packId),
      (r) => r.length > 0,
      'the refund row',
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ method: 'card', amountCents: paid.priceCents, status: 'REFUNDED' });
    expect(rows[0].stripeRefundId).toEqual(expect.any(String));

    expect(await received(email, WITHDRAWN, paid.packId)).toHaveLength(1);

    const final = await h.result(); // skips the 30-day linger
    await saveHistory(w, h, 'withdrawal-day-13');
    expect(final.status).toBe('WITHDRAWN');
    expect(final.refund).toEqual({ method: 'card', amountCents: paid.priceCents });
    expect(await w.now()).toBeGreaterThanOrEqual(withdrawnAt + 30 * DAY);
  });

  test('withdrawal with a future confirmed session cancels it (and its invite), frees its calendar slot and refunds', async () => {
    const { h, s, email } = await paidPack();
    const start = await freeHour(w, 3 * DAY);
    const { booking } = await h.executeUpdate(requestBooking, { args: [{ start }] });
    expect(booking.status).toBe('CONFIRMED');

    const other = (await paidPack()).h;
    expect(await refusal(other.executeUpdate(requestBooking, { args: [{ start }] }))).toBe('SLOT_UNAVAILABLE');

    const res = await h.executeUpdate(withdraw);
    expect(res).toEqual({ status: 'WITHDRAWN', refund: { method: 'card', amountCents: s.priceCents } });
    const after = await w.state(h);
    expect(after.bookings.map((b) => b.status)).toEqual(['CANCELLED']);
    expect(after.hours).toMatchObject({ reserved: 0, used: 0, forfeited: 0 });

    const rows = await until(
      () => refunds(s.packId),
      (r) => r.length > 0,
      'the refund row',
    );
    expect(rows[0]).toMatchObject({ status: 'REFUNDED', amountCents: s.priceCents });
    await until(
      () =>
        w.db.prisma.$queryRaw<
          Array<{ n: bigint }>
        >`SELECT count(*) AS n FROM calendar_slot WHERE booking_id = ${booking.id}::uuid AND released_at IS NULL`,
      (r) => Number(r[0].n) === 0,
      'the withdrawn session’s slot to be released',
    );

    const taken = await other.executeUpdate(requestBooking, { args: [{ start }] });
    expect(taken.booking).toMatchObject({ start: booking.start, status: 'CONFIRMED' });

    // The session leaves the client's calendar: an iCalendar CANCEL for the same UID.
    await w.mailsSettled(s.packId);
    const cancelInvite = w
      .mails(email)
      .flatMap((m) => m.parsed.attachments ?? [])
      .map((a) => a.content.toString('utf8'))
      .find((ics) => ics.includes('METHOD:CANCEL'));
    expect(cancelInvite).toContain(`UID:${booking.id}@imaginasite.com`);
  });

  test('withdrawal is refused (WITHDRAWAL_NOT_ALLOWED) once the 14-day period is over, and once a session has started', async () => {
    // Day 15 (or later, when the 14th day falls on a weekend or public holiday and the period runs on).
    const late = await paidPack();
    await sleepUntil(Math.max(Date.parse(late.s.orderedAt) + 15 * DAY, Date.parse(late.s.withdrawal.until)) + MINUTE);
    // The pack's state says so by itself (the portal shows no withdraw button), before anyone tries.
    expect((await w.until(late.h, (x) => !x.withdrawal.allowed, 'the period end to show in the state')).withdrawal).toMatchObject({
      allowed: false,
      reason: 'PERIOD_OVER',
    });
    expect(await refusal(late.h.executeUpdate(withdraw))).toBe('WITHDRAWAL_NOT_ALLOWED');
    expect((await w.state(late.h)).status).toBe('ACTIVE');

    // Day 3, within the period, after a session has begun (2 hours: the pack stays active after it).
    const started = await paidPack({ quantity: 2 });
    const { booking } = await started.h.executeUpdate(requestBooking, { args: [{ start: await freeHour(w, 1 * DAY) }] });
    await sleepUntil(Math.max(Date.parse(booking.start) + 10 * MINUTE, Date.parse(started.s.orderedAt) + 3 * DAY));
    const s = await w.until(started.h, (x) => x.nextTimers.every((t) => t.kind !== 'SESSION_START'), 'the session to start');
    expect(Date.parse(s.withdrawal.until)).toBeGreaterThan(await w.now());
    expect(s.withdrawal).toMatchObject({ allowed: false, reason: 'SESSION_STARTED' });
    expect(await refusal(started.h.executeUpdate(withdraw))).toBe('WITHDRAWAL_NOT_ALLOWED');
    expect(await refunds(started.s.packId)).toHaveLength(0);
  });

  test('a bank-transfer withdrawal is refunded by transfer: a BANK_REFUND task for the provider', async () => {
    const email = newClient('retractvir');
    const { h, s } = await paidPack({ paymentMethod: 'bank_transfer', email });
    const res = await h.executeUpdate(withdraw);
    // Due by the end of the 14th day after the withdrawal (L221-24).
    const dueAt = DateTime.fromMillis(await w.now(), { zone: PARIS })
      .startOf('day')
      .plus({ days: 15 });
    expect(res).toEqual({
      status: 'WITHDRAWN',
      refund: { method: 'bank_transfer', amountCents: s.priceCents, dueAt: dueAt.toUTC().toISO() },
    });

    const tasks = await until(
      () => w.db.prisma.providerTask.findMany({ where: { packId: s.packId } }),
      (t) => t.length > 0,
      'the provider task',
    );
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ kind: 'BANK_REFUND', amountCents: s.priceCents, doneAt: null, dueAt: dueAt.toJSDate() });
    const rows = await refunds(s.packId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ method: 'bank_transfer', amountCents: s.priceCents, status: 'PROVIDER_TASK', stripeRefundId: null });
    expect(await received(email, WITHDRAWN, s.packId)).toHaveLength(1);
  });

  // ------------------------------------------------------------------------------------------- payment

  test('an unpaid order is reminded 2 days before the 7-day deadline, then cancelled at the deadline', async () => {
    const email = newClient('unpaid');
    const h = await w.order({ email, paymentMethod: 'bank_transfer' });
    const s0 = await w.state(h);
    const orderedAt = Date.parse(s0.orderedAt);
    expect(Date.parse(s0.paymentDeadline)).toBe(orderedAt + 7 * DAY);

    await sleepUntil(orderedAt + 5 * DAY - HOUR);
    await w.mailsSettled(s0.packId);
    expect(count(email, PAYMENT_REMINDER)).toBe(0);

    await sleepUntil(orderedAt + 5 * DAY + HOUR);
    await received(email, PAYMENT_REMINDER, s0.packId);
    expect((await w.state(h)).status).toBe('AWAITING_PAYMENT');
    expect(count(email, CANCELLED_UNPAID)).toBe(0);

    await sleepUntil(orderedAt + 7 * DAY + MINUTE);
    const s = await w.until(h, (x) => x.status === 'CANCELLED_UNPAID', 'the order to be cancelled');
    expect(s.paidAt).toBeNull();
    await received(email, CANCELLED_UNPAID, s0.packId);
    expect(count(email, PAYMENT_REMINDER)).toBe(1);
    expect(count(email, CANCELLED_UNPAID)).toBe(1);
    const all = subjects(email);
    expect(all.indexOf(PAYMENT_REMINDER)).toBeLessThan(all.indexOf(CANCELLED_UNPAID));
  });

  test('a card payment arriving after the deadline is refunded and the order stays cancelled', async () => {
    const email = newClient('latepay');
    const h = await w.order({ email });
    const s0 = await w.state(h);
    await sleepUntil(Date.parse(s0.paymentDeadline) + HOUR);
    await w.until(h, (x) => x.status === 'CANCELLED_UNPAID', 'the order to be cancelled');

    const s = await w.pay(h);
    expect(s.status).toBe('CANCELLED_UNPAID');
    expect(s.paidAt).toBeNull();
    expect(s.payments.map((p) => p.outcome)).toEqual(['REFUNDED']);
    const rows = await until(
      () => refunds(s0.packId),
      (r) => r.length > 0,
      'the refund row',
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ method: 'card', amountCents: s0.priceCents, status: 'REFUNDED' });
    expect(rows[0].stripeRefundId).toEqual(expect.any(String));
    expect(await received(email, PAYMENT_REFUNDED, s0.packId)).toHaveLength(1);
    expect((await w.state(h)).status).toBe('CANCELLED_UNPAID');
  });

  test('a payment counts once; a second payment for a paid pack is refunded; too little waits for the remainder', async () => {
    // The same payment twice (same idempotency key): one payment, one confirmation, no refund.
    const email = newClient('twice');
    const h = await w.order({ email });
    const s0 = await w.state(h);
    const payment = {
      method: 'card' as const,
      amountCents: s0.priceCents,
      reference: `pi_${crypto.randomBytes(6).toString('hex')}`,
      paidAt: new Date(await w.now()).toISOString(),
      idempotencyKey: crypto.randomUUID(),
    };
    await h.signal(paymentReceived, payment);
    await h.signal(paymentReceived, payment);
    const once = await w.until(h, (x) => x.status === 'ACTIVE', 'the payment to activate the pack');
    expect(once.payments).toHaveLength(1);
    expect(once.payments[0].outcome).toBe('ACCEPTED');
    expect(once.paidCents).toBe(s0.priceCents);
    expect(await received(email, PAYMENT_CONFIRMED, s0.packId)).toHaveLength(1);

    // A different payment for the already-paid pack: refunded, the pack unchanged.
    const second = await w.pay(h);
    expect(second.status).toBe('ACTIVE');
    expect(second.paidCents).toBe(s0.priceCents);
    expect(second.payments.map((p) => p.outcome)).toEqual(['ACCEPTED', 'REFUNDED']);
    const rows = await until(
      () => refunds(s0.packId),
      (r) => r.length > 0,
      'the refund row',
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      key: `payment:${second.payments[1].idempotencyKey}`,
      method: 'card',
      status: 'REFUNDED',
      amountCents: s0.priceCents,
    });
    expect(await received(email, PAYMENT_REFUNDED, s0.packId)).toHaveLength(1);
    expect(count(email, PAYMENT_CONFIRMED)).toBe(1);

    // Too little: recorded as PARTIAL, the provider told, the pack still waiting; the remainder activates it.
    const shortEmail = newClient('short');
    const short = await w.order({ email: shortEmail, paymentMethod: 'bank_transfer' });
    const t0 = await w.state(short);
    const { bankReference } = await w.db.prisma.pack.findUniqueOrThrow({ where: { id: t0.packId } });
    const partial = await w.pay(short, { amountCents: t0.priceCents - 2_000 });
    expect(partial.status).toBe('AWAITING_PAYMENT');
    expect(partial.paidCents).toBe(t0.priceCents - 2_000);
    expect(partial.payments.map((p) => p.outcome)).toEqual(['PARTIAL']);
    const mismatch = await received(PROVIDER, `Montant inattendu pour la commande ${bankReference}`, t0.packId);
    expect(mismatch).toHaveLength(1);
    expect(count(shortEmail, PAYMENT_CONFIRMED)).toBe(0);

    const rest = await w.pay(short, { amountCents: 2_000 });
    expect(rest.status).toBe('ACTIVE');
    expect(rest.paidCents).toBe(t0.priceCents);
    expect(rest.hours.available).toBe(rest.hours.total);
    expect(await received(shortEmail, PAYMENT_CONFIRMED, t0.packId)).toHaveLength(1);
  });

  // ------------------------------------------------------------------------------------------- expiry

  test('unused hours: one warning 14 days and one 3 days before expiry, then EXPIRED with the hours forfeited', async () => {
    const { h, s, email } = await paidPack({ quantity: 2 });
    const expiresAt = Date.parse(s.expiresAt!);
    const expiryText = frenchDateTime(expiresAt, PARIS);

    await sleepUntil(expiresAt - 14 * DAY - HOUR);
    await w.mailsSettled(s.packId);
    expect(count(email, EXPIRY_WARNING)).toBe(0);

    await sleepUntil(expiresAt - 14 * DAY + HOUR);
    expect(await received(email, EXPIRY_WARNING, s.packId)).toEqual([`${EXPIRY_WARNING} ${expiryText}`]);

    await sleepUntil(expiresAt - 3 * DAY + HOUR);
    expect(await received(email, EXPIRY_WARNING, s.packId, 2)).toEqual([
      `${EXPIRY_WARNING} ${expiryText}`,
      `${EXPIRY_WARNING} ${expiryText}`,
    ]);
    expect((await w.state(h)).status).toBe('ACTIVE');

    const final = await h.result();
    await saveHistory(w, h, 'expired-with-warnings');
    expect(final.status).toBe('EXPIRED');
    expect(final.hours).toMatchObject({ total: 2, used: 0, forfeited: 2, reserved: 0, available: 0 });
    expect(await w.now()).toBeGreaterThanOrEqual(expiresAt);
    expect(await received(email, EXPIRED, s.packId)).toHaveLength(1);
    expect(count(email, EXPIRY_WARNING)).toBe(2);

    // The warnings went out when due.
    const warnings = await w.db.prisma.packEvent.findMany({ where: { packId: s.packId, type: 'EXPIRY_WARNING' }, orderBy: { at: 'asc' } });
    expect(warnings.map((e) => Math.round((expiresAt - e.at.getTime()) / MINUTE))).toEqual([(14 * DAY) / MINUTE, (3 * DAY) / MINUTE]);
  });

  test('no expiry warning when no hours remain: the hour held before the warnings, or reserved over them', async () => {
    // A: its single hour held 16 days before expiry; the pack is USED_UP during the warnings.
    const a = await paidPack();
    const aExp = Date.parse(a.s.expiresAt!);
    const aStart = await freeHour(w, aExp - 16 * DAY - (await w.now()));
    expect((await a.h.executeUpdate(requestBooking, { args: [{ start: aStart }] })).booking.status).toBe('CONFIRMED');
    // B: its single hour reserved for a session 2 days before expiry; nothing is available at the warnings.
    const b = await paidPack();
    const bExp = Date.parse(b.s.expiresAt!);
    const bStart = await freeHour(w, bExp - 2 * DAY - (await w.now()), HOUR);
    expect((await b.h.executeUpdate(requestBooking, { args: [{ start: bStart }] })).booking.status).toBe('CONFIRMED');
    expect(Date.parse(bStart)).toBeGreaterThan(bExp - 3 * DAY);

    // One result() at a time: each unlocks the test server's time skipping until it returns.
    const aFinal = await a.h.result();
    const bFinal = await b.h.result();
    expect(aFinal).toMatchObject({ status: 'USED_UP', hours: { used: 1, available: 0 } });
    expect(bFinal).toMatchObject({ status: 'USED_UP', hours: { used: 1, available: 0 } });
    expect(await w.now()).toBeGreaterThanOrEqual(bExp - 3 * DAY);

    for (const p of [a, b]) {
      await w.mailsSettled(p.s.packId);
      expect(count(p.email, EXPIRY_WARNING)).toBe(0);
      expect(count(p.email, EXPIRED)).toBe(0);
      expect(await timeline(w, p.s.packId)).not.toContain('EXPIRY_WARNING');
    }
  });

  test('a pack whose hours are used up is USED_UP, the client told, and closes after the grace period', async () => {
    const { h, s, email } = await paidPack();
    const { booking } = await h.executeUpdate(requestBooking, { args: [{ start: await freeHour(w, 1 * DAY) }] });
    const end = Date.parse(booking.end);
    await sleepUntil(end + 10 * MINUTE);
    const used = await w.until(h, (x) => x.status === 'USED_UP', 'the pack to be used up');
    expect(used.hours).toMatchObject({ total: 1, used: 1, reserved: 0, available: 0, forfeited: 0 });
    expect(used.bookings.map((b) => b.status)).toEqual(['HELD']);
    expect(await received(email, USED_UP, s.packId)).toHaveLength(1);

    const final = await h.result(); // skips the 7-day grace
    await saveHistory(w, h, 'used-up-closed');
    expect(final.status).toBe('USED_UP');
    expect(final.hours.used).toBe(1);
    expect(await w.now()).toBeGreaterThanOrEqual(end + 7 * DAY);
    await w.mailsSettled(s.packId);
    expect(count(email, USED_UP)).toBe(1);
  });

  // ------------------------------------------------------------------------------------------- reminders

  test('session reminders fire once: 24 h and 1 h before; none for a cancelled session; only the new time for a moved one', async () => {
    const [kept, cancelled, moved] = await Promise.all([paidPack(), paidPack(), paidPack()]);

    const keptStart = await freeHour(w, 3 * DAY);
    await kept.h.executeUpdate(requestBooking, { args: [{ start: keptStart }] });

    const cancelledStart = await freeHour(w, 3 * DAY);
    const c = await cancelled.h.executeUpdate(requestBooking, { args: [{ start: cancelledStart }] });
    expect((await cancelled.h.executeUpdate(cancelBooking, { args: [{ bookingId: c.booking.id, by: 'client' }] })).penalty).toBe(false);

    const oldStart = await freeHour(w, 3 * DAY);
    const m = await moved.h.executeUpdate(requestBooking, { args: [{ start: oldStart }] });
    const newStart = await freeHour(w, 5 * DAY);
    const mv = await moved.h.executeUpdate(rescheduleBooking, { args: [{ bookingId: m.booking.id, start: newStart }] });
    expect(mv).toMatchObject({ penalty: false, booking: { id: m.booking.id, status: 'CONFIRMED' } });

    await sleepUntil(Math.max(Date.parse(keptStart), Date.parse(cancelledStart), Date.parse(newStart)) + 2 * HOUR);
    await Promise.all(
      [kept, moved].map((p) => w.until(p.h, (x) => x.bookings.every((b) => b.status === 'HELD'), 'the session to be held')),
    );

    const keptText = frenchDateTime(keptStart, PARIS);
    expect(await received(kept.email, SESSION_REMINDER, kept.s.packId, 2)).toEqual([
      `${SESSION_REMINDER} demain, ${keptText}`,
      `${SESSION_REMINDER} dans 1 heure, ${keptText}`,
    ]);

    await w.mailsSettled(cancelled.s.packId);
    expect(count(cancelled.email, SESSION_REMINDER)).toBe(0);

    const newText = frenchDateTime(newStart, PARIS);
    const movedReminders = await received(moved.email, SESSION_REMINDER, moved.s.packId, 2);
    expect(movedReminders).toEqual([`${SESSION_REMINDER} demain, ${newText}`, `${SESSION_REMINDER} dans 1 heure, ${newText}`]);
    expect(movedReminders.join('\n')).not.toContain(frenchDateTime(oldStart, PARIS));
    for (const [p, n] of [
      [kept, 2],
      [cancelled, 0],
      [moved, 2],
    ] as const) {
      expect(w.mails(p.email).filter((x) => x.subject.startsWith(SESSION_REMINDER))).toHaveLength(n);
    }
  });

  // ------------------------------------------------------------------------------------------- validity

  test('the pack is valid 3 calendar months from the payment, in Paris time (31st → last day of the month)', async () => {
    const expected = (paidAt: string) => DateTime.fromISO(paidAt).setZone(PARIS).plus({ months: 3 });

    const { s } = await paidPack();
    expect(Date.parse(s.expiresAt!)).toBe(expected(s.paidAt!).toMillis());

    // Paid on a 31st whose month + 3 has no 31st: the pack ends on that month's last day, same local time.
    let day = DateTime.fromMillis(await w.now(), { zone: PARIS })
      .startOf('day')
      .plus({ days: 1 });
    while (day.day !== 31 || day.plus({ months: 3 }).day === 31) day = day.plus({ days: 1 });
    await sleepUntil(day.set({ hour: 10 }).toMillis());
    const monthEnd = await paidPack();
    const paid = DateTime.fromISO(monthEnd.s.paidAt!).setZone(PARIS);
    const ends = DateTime.fromISO(monthEnd.s.expiresAt!).setZone(PARIS);
    expect(paid.day).toBe(31);
    expect(ends.toMillis()).toBe(expected(monthEnd.s.paidAt!).toMillis());
    expect([ends.month, ends.day]).toEqual([paid.plus({ months: 3 }).month, paid.plus({ months: 3 }).daysInMonth]);
    expect(ends.toFormat('HH:mm:ss.SSS')).toBe(paid.toFormat('HH:mm:ss.SSS'));
  });
});
