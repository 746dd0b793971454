import type { Activities } from '../../src/activities';
import type { Mailer } from '../../src/infra/mailer';
import { cancelBooking, requestBooking } from '../../src/shared/pack';
import { PACK_CODE, PACK_EXPIRES_AT, PACK_STATUS } from '../../src/shared/search-attributes';
import { createPackWorld, freeHour, saveHistory, timeline, type PackWorld } from '../support/packs';
import { DAY, HOUR } from '../support/time';

// Failures injected at the activity boundary: an activity that did its work and then "crashed" before reporting
// it (so Temporal retries it), and an SMTP server that refuses a message once.
describe('pack workflow under retried activities', () => {
  let w: PackWorld;
  const failures = { afterRecord: new Set<string>(), afterDeliver: new Set<string>(), smtpRefusals: 0 };

  beforeAll(async () => {
    const wrap = (a: Activities): Activities => ({
      ...a,
      async recordPackEvents(args) {
        const out = await a.recordPackEvents(args);
        if (args.events.some((e) => e.type === 'PAYMENT_CONFIRMED') && !failures.afterRecord.has(args.packId)) {
          failures.afterRecord.add(args.packId);
          throw new Error('injected: worker lost after the projection was committed');
        }
        return out;
      },
      async deliverPackEmails(args) {
        const out = await a.deliverPackEmails(args);
        if (out.sent > 0 && !failures.afterDeliver.has(args.packId)) {
          failures.afterDeliver.add(args.packId);
          throw new Error('injected: worker lost after the emails were sent');
        }
        return out;
      },
    });
    const wrapMailer = (m: Mailer): Mailer =>
      new Proxy(m, {
        get(target, prop, receiver) {
          if (prop !== 'sendMail') return Reflect.get(target, prop, receiver);
          return async (msg: { subject?: string }) => {
            if (String(msg.subject).startsWith('Séance confirmée') && failures.smtpRefusals === 0) {
              failures.smtpRefusals++;
              throw new Error('injected: 421 SMTP service not available');
            }
            return target.sendMail(msg);
          };
        },
      });
    w = await createPackWorld({ wrap, wrapMailer });
  });
  afterAll(async () => {
    await w?.teardown();
  });

  test('each email is sent exactly once when its activity is retried after a failure', async () => {
    const email = 'retries@example.org';
    const h = await w.order({ email });
    const s = await w.pay(h);
    await h.executeUpdate(requestBooking, { args: [{ start: await freeHour(w, 3 * DAY) }] });
    // The lanes record and deliver through their injected failures and retries.
    await w.sink.waitFor((m) => m.to.includes(email) && m.subject.startsWith('Séance confirmée'), 30_000);
    await w.mailsSettled(s.packId);
    expect(failures.afterRecord.has(s.packId)).toBe(true);
    // The refused email is sent again either by the mail lane (whose injected failure then follows) or by the next
    // recording's delivery: either way, once.
    expect(failures.smtpRefusals).toBe(1);
    const subjects = w.mails(email).map((m) => m.subject);
    expect(subjects).toEqual([
      'Votre commande Pack 1 heure est enregistrée',
      'Paiement reçu : votre pack est actif',
      expect.stringMatching(/^Séance confirmée : /),
    ]);
    // The timeline holds each event once too (the invoice's may come before or after the booking's: it is issued
    // while the booking is made).
    const events = await timeline(w, s.packId);
    expect(events.slice(0, 2)).toEqual(['ORDER_PLACED', 'PAYMENT_CONFIRMED']);
    expect([...events].sort()).toEqual(['BOOKING_CONFIRMED', 'INVOICE_ISSUED', 'ORDER_PLACED', 'PAYMENT_CONFIRMED']);
    await saveHistory(w, h, 'retried-activities');
  });

  test('the pack is visible through typed search attributes (status, code, expiry), never its client', async () => {
    const h = await w.order({ packCode: 'PACK_HALF_DAY' });
    const s = await w.pay(h);
    const attrs = (await h.describe()).typedSearchAttributes;
    expect(attrs.get(PACK_STATUS)).toBe('ACTIVE');
    expect(attrs.get(PACK_CODE)).toBe('PACK_HALF_DAY');
    expect(attrs.get(PACK_EXPIRES_AT)?.toISOString()).toBe(s.expiresAt);
    expect(JSON.stringify((await h.describe()).raw.workflowExecutionInfo?.searchAttributes)).not.toContain('example.org');
  });
});

describe('continue-as-new', () => {
  let w: PackWorld;
  beforeAll(async () => {
    w = await createPackWorld();
  });
  afterAll(async () => {
    await w?.teardown();
  });

  test('a pack that continues as new keeps its state, its timers and sends no email twice', async () => {
    const email = 'long-lived@example.org';
    const h = await w.order({ email, quantity: 4, continueAsNewAfterEvents: 40 });
    const paid = await w.pay(h);
    const a = (await h.executeUpdate(requestBooking, { args: [{ start: await freeHour(w, 3 * DAY) }] })).booking;
    const b = (await h.executeUpdate(requestBooking, { args: [{ start: await freeHour(w, 5 * DAY) }] })).booking;
    // The cancellation takes the history past 40 events: the run continues as new right after answering it. What the
    // pack was before is read from its answers, not queried then (Temporal's Java test server loses a query that
    // reaches a run while it closes, and keeps time skipping locked for it).
    const cancelled = (await h.executeUpdate(cancelBooking, { args: [{ bookingId: b.id, by: 'client' }] })).booking;
    expect(cancelled.status).toBe('CANCELLED');

    // Let session A take place: its reminders, start and end run in later runs of the workflow.
    await w.env.sleep(Date.parse(a.end) - (await w.now()) + HOUR);
    const after = await w.until(h, (x) => x.bookings.find((y) => y.id === a.id)?.status === 'HELD', 'session A to be held');

    const desc = await h.describe();
    const firstRunId = desc.raw.workflowExecutionInfo?.firstRunId;
    expect(firstRunId).toBeTruthy();
    expect(firstRunId).not.toBe(desc.runId); // it did continue as new

    expect(after.payments).toEqual(paid.payments);
    expect(after.bookings.find((x) => x.id === b.id)).toEqual(cancelled);
    expect(after.hours).toEqual({ total: 4, used: 1, forfeited: 0, reserved: 0, available: 3 });
    await w.mailsSettled(after.packId);
    const subjects = w.mails(email).map((m) => m.subject);
    expect(subjects.filter((x) => x.startsWith('Rappel : séance'))).toHaveLength(2);
    expect(new Set(subjects).size).toBe(subjects.length);
    await saveHistory(w, h, 'continue-as-new');
  }, 120_000); // months of a pack's life on the time-skipping server: slow when the machine is busy
});
