import crypto from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { DateTime } from 'luxon';
import { paymentReceived, recordWithdrawal, refundPaid, requestBooking, withdraw, type PackState } from '../../src/shared/pack';
import { expiryOf, withdrawalDeadlineOf, DEFAULT_SETTINGS } from '../../src/shared/policy';
import type { packWorkflow } from '../../src/workflows/pack/workflow';
import { createPackWorld, freeHour, refusal, saveHistory, timeline, type PackWorld } from '../support/packs';
import { DAY, HOUR, MINUTE } from '../support/time';
import { until } from '../support/until';

type Pack = WorkflowHandle<typeof packWorkflow>;

const PARIS = 'Europe/Paris';
const PROVIDER = 'prestataire@imaginasite.test';
// Subjects the client and the provider see (src/activities/emails/templates.ts).
const REFUND_REMINDER = 'Rappel : remboursement de';
const PAYMENT_CONFIRMED = 'Paiement reçu : votre pack est actif';
const WITHDRAWN = 'Rétractation enregistrée';

/** The start of the Paris day `days` after the one of `ms`. */
const parisDay = (ms: number, days: number) => DateTime.fromMillis(ms, { zone: PARIS }).startOf('day').plus({ days }).toMillis();

// Issue 13, points 4 and 5, on the time-skipping server: withdrawals recorded on the day they were received, refunds
// owed by transfer reminded before they are due, transfers dated as the bank dates them.
describe('withdrawals and transfers judged on their own dates', () => {
  let w: PackWorld;
  beforeAll(async () => {
    w = await createPackWorld();
  });
  afterAll(async () => {
    await w?.teardown();
  });

  const newClient = (tag: string) => `${tag}.${crypto.randomBytes(5).toString('hex')}@example.org`;
  const subjects = (to: string) => w.mails(to).map((m) => m.subject);
  const count = (to: string, prefix: string) => subjects(to).filter((s) => s.startsWith(prefix)).length;
  const refunds = (packId: string) => w.db.prisma.refund.findMany({ where: { packId }, orderBy: { createdAt: 'asc' } });
  const tasks = (packId: string) => w.db.prisma.providerTask.findMany({ where: { packId } });
  /** The provider's emails about one client's pack (the provider's address is shared by every pack). */
  const providerMails = (prefix: string, reference: string) =>
    w.mails(PROVIDER).filter((m) => m.subject.startsWith(prefix) && m.text.includes(reference)).length;

  async function sleepUntil(atMs: number): Promise<void> {
    const d = atMs - (await w.now());
    if (d > 0) await w.env.sleep(d);
  }

  async function paidByTransfer(o: Parameters<PackWorld['order']>[0] = {}): Promise<{ h: Pack; s: PackState; reference: string }> {
    const h = await w.order({ paymentMethod: 'bank_transfer', email: newClient('virement'), ...o });
    const s = await w.pay(h);
    expect(s.status).toBe('ACTIVE');
    const { bankReference } = await w.db.prisma.pack.findUniqueOrThrow({ where: { id: s.packId } });
    return { h, s, reference: bankReference };
  }

  test('a transfer dated day 6 but recorded on day 8 activates the pack, its validity counted from day 6', async () => {
    const email = newClient('day6');
    const h = await w.order({ email, paymentMethod: 'bank_transfer' });
    const s0 = await w.state(h);
    const orderedAt = Date.parse(s0.orderedAt);
    await sleepUntil(orderedAt + 8 * DAY);
    await w.until(h, (x) => x.status === 'CANCELLED_UNPAID', 'the order to be cancelled at its deadline');

    // The provider enters the transfer on day 8, dated day 6 as the bank statement shows it.
    const day6 = parisDay(orderedAt, 6);
    expect(day6).toBeLessThan(Date.parse(s0.paymentDeadline));
    await h.signal(paymentReceived, {
      method: 'bank_transfer',
      amountCents: s0.priceCents,
      reference: 'VIR-DAY6',
      paidAt: new Date(day6).toISOString(),
      idempotencyKey: crypto.randomUUID(),
    });
    const s = await w.until(h, (x) => x.status === 'ACTIVE', 'the transfer to activate the pack');
    expect(s).toMatchObject({ paidAt: new Date(day6).toISOString(), paidCents: s0.priceCents, closedAt: null });
    expect(s.expiresAt).toBe(new Date(expiryOf(day6, DEFAULT_SETTINGS)).toISOString());
    expect(DateTime.fromISO(s.expiresAt!, { zone: PARIS }).toISODate()).toBe(
      DateTime.fromMillis(day6, { zone: PARIS }).plus({ months: 3 }).toISODate(),
    );
    expect(s.payments.map((p) => p.outcome)).toEqual(['ACCEPTED']);

    // Bookable, nothing to refund, the client told once.
    const { booking } = await h.executeUpdate(requestBooking, { args: [{ start: await freeHour(w, 2 * DAY) }] });
    expect(booking.status).toBe('CONFIRMED');
    await w.mailsSettled(s.packId);
    expect(count(email, PAYMENT_CONFIRMED)).toBe(1);
    expect(await refunds(s.packId)).toHaveLength(0);
    expect(await timeline(w, s.packId)).toEqual(expect.arrayContaining(['ORDER_CANCELLED_UNPAID', 'ORDER_REVIVED', 'PAYMENT_CONFIRMED']));
    await saveHistory(w, h, 'transfer-dated-before-deadline');
  });

  test('a withdrawal received by letter on day 14 but recorded on day 16 is accepted; one received on day 15 is not', async () => {
    // An order on a day whose 14th day is an ordinary working day: the period ends with it.
    let orderAt = (await w.now()) + HOUR;
    while (withdrawalDeadlineOf(orderAt, DEFAULT_SETTINGS) !== parisDay(orderAt, 15)) orderAt += DAY;
    await sleepUntil(orderAt);
    const email = newClient('lettre');
    const h = await w.order({ email });
    const paid = await w.pay(h);
    const orderedAt = Date.parse(paid.orderedAt);
    expect(Date.parse(paid.withdrawal.until)).toBe(parisDay(orderedAt, 15));

    await sleepUntil(parisDay(orderedAt, 16) + 10 * HOUR); // day 16, 10:00
    const late = await w.state(h);
    expect(late.withdrawal).toMatchObject({ allowed: false, reason: 'PERIOD_OVER' });

    const day15 = parisDay(orderedAt, 15) + 9 * HOUR;
    expect(await refusal(h.executeUpdate(recordWithdrawal, { args: [{ receivedAt: new Date(day15).toISOString() }] }))).toBe(
      'WITHDRAWAL_NOT_ALLOWED',
    );
    expect((await w.state(h)).status).toBe('ACTIVE');

    const day14 = parisDay(orderedAt, 14) + 11 * HOUR;
    const res = await h.executeUpdate(recordWithdrawal, { args: [{ receivedAt: new Date(day14).toISOString() }] });
    expect(res).toEqual({ status: 'WITHDRAWN', refund: { method: 'card', amountCents: paid.priceCents } });
    const rows = await until(
      () => refunds(paid.packId),
      (r) => r.length > 0,
      'the refund row',
    );
    expect(rows).toEqual([expect.objectContaining({ method: 'card', status: 'REFUNDED', amountCents: paid.priceCents })]);
    // The withdrawal's event (and its email) is recorded after the refund is made.
    await until(
      () => timeline(w, paid.packId),
      (t) => t.includes('WITHDRAWN'),
      'the withdrawal on the timeline',
    );
    await w.mailsSettled(paid.packId);
    const mail = w.mails(email).find((m) => m.subject === WITHDRAWN);
    expect(mail?.text).toContain(`reçue le ${DateTime.fromMillis(day14, { zone: PARIS }).setLocale('fr').toFormat('cccc d LLLL yyyy')}`);
    await saveHistory(w, h, 'withdrawal-recorded-day-16');
  });

  test('a refund due in 3 days is reminded once', async () => {
    const { h, s, reference } = await paidByTransfer();
    await h.executeUpdate(withdraw);
    const [task] = await until(
      () => tasks(s.packId),
      (t) => t.length > 0,
      'the refund task',
    );
    const due = (await w.until(h, (x) => x.refundsDue.length > 0, 'the refund owed to be kept')).refundsDue[0];
    expect(task).toMatchObject({ kind: 'BANK_REFUND', amountCents: s.priceCents, doneAt: null, dueAt: new Date(due.dueAt) });
    expect(Date.parse(due.remindAt)).toBe(DateTime.fromISO(due.dueAt, { zone: PARIS }).minus({ days: 3 }).toMillis());

    await sleepUntil(Date.parse(due.remindAt) - HOUR);
    await w.mailsSettled(s.packId);
    expect(providerMails(REFUND_REMINDER, reference)).toBe(0);

    await sleepUntil(Date.parse(due.remindAt) + HOUR);
    await until(
      () => providerMails(REFUND_REMINDER, reference),
      (n) => n >= 1,
      'the reminder to the provider',
    );
    const final = await h.result(); // past the due date and the 30-day linger
    await saveHistory(w, h, 'refund-reminded');
    expect(final.status).toBe('WITHDRAWN');
    expect(await w.now()).toBeGreaterThan(Date.parse(due.dueAt));
    await w.mailsSettled(s.packId);
    expect(providerMails(REFUND_REMINDER, reference)).toBe(1);
    expect((await timeline(w, s.packId)).filter((t) => t === 'REFUND_REMINDER')).toHaveLength(1);
  });

  test('a refund marked paid before its reminder is not reminded', async () => {
    const { h, s, reference } = await paidByTransfer();
    await h.executeUpdate(withdraw);
    const due = (await w.until(h, (x) => x.refundsDue.length > 0, 'the refund owed to be kept')).refundsDue[0];
    await h.signal(refundPaid, { key: due.key });
    const paid = await w.until(h, (x) => x.refundsDue[0].paidAt !== null, 'the refund to be marked paid');
    expect(paid.nextTimers.map((t) => t.kind)).toEqual(['CLOSE']);
    await h.result();
    await w.mailsSettled(s.packId);
    expect(providerMails(REFUND_REMINDER, reference)).toBe(0);
    expect(await timeline(w, s.packId)).toContain('REFUND_PAID');
  });

  test('with WITHDRAWAL_AFTER_START=prorata, a withdrawal after a held session refunds the unconsumed hours through Stripe', async () => {
    const h = await w.order({ quantity: 3, settings: { withdrawalAfterStart: 'prorata' } });
    const paid = await w.pay(h);
    const { booking } = await h.executeUpdate(requestBooking, { args: [{ start: await freeHour(w, DAY) }] });
    await sleepUntil(Date.parse(booking.end) + 10 * MINUTE);
    const s = await w.until(h, (x) => x.bookings[0].status === 'HELD', 'the session to be held');
    expect(s.withdrawal).toMatchObject({ allowed: true, consumedHours: 1 });

    const res = await h.executeUpdate(withdraw);
    expect(res).toEqual({ status: 'WITHDRAWN', refund: { method: 'card', amountCents: (paid.priceCents * 2) / 3, consumedHours: 1 } });
    const rows = await until(
      () => refunds(paid.packId),
      (r) => r.length > 0,
      'the refund row',
    );
    expect(rows).toEqual([expect.objectContaining({ method: 'card', status: 'REFUNDED', amountCents: 2 * 9_000 })]);
  });
});
