/**
 * The pack's rules as the workflow applies them (src/workflows/pack/model.ts), without a server: a model built from
 * an input and its data, driven with explicit instants. What Temporal adds (timers that really wait, activities,
 * continue-as-new) is proven in test/workflows; here each rule is one test, named after it.
 *
 * Instants are Paris wall-clock times; the default order is placed on Monday 4 January 2027 at 10:00 and paid at 12:00
 * (valid until 4 April 2027, 12:00).
 */
import { DateTime } from 'luxon';
import { DEFAULT_CATALOG, type PackCode } from '../../src/shared/catalog';
import type { BookingView, PackInput, PaymentMethod, PaymentSignal } from '../../src/shared/pack';
import { DEFAULT_SETTINGS, refundDueOf, type PackSettings } from '../../src/shared/policy';
import { initialData, PackModel, PackRuleError, type Effect, type PackEvent } from '../../src/workflows/pack/model';
import { isValidPaymentSignal } from '../../src/workflows/pack/payments';
import { DAY, HOUR, MINUTE } from '../support/time';

/** A Paris wall-clock time ('2027-03-28T10:00') as epoch milliseconds. */
const paris = (local: string): number => {
  const t = DateTime.fromISO(local, { zone: 'Europe/Paris' });
  if (!t.isValid) throw new Error(`invalid Paris time ${local}`);
  return t.toMillis();
};
const iso = (ms: number) => new Date(ms).toISOString();

const ORDERED = paris('2027-01-04T10:00');
const PAID = paris('2027-01-04T12:00');
const EXPIRES = paris('2027-04-04T12:00');

// ----------------------------------------------------------------------------------------------- fixtures

interface Order {
  code?: PackCode;
  quantity?: number;
  paymentMethod?: PaymentMethod;
  orderedAtMs?: number;
  settings?: Partial<PackSettings>;
}

function inputOf(o: Order = {}): PackInput {
  const offer = DEFAULT_CATALOG[o.code ?? 'PACK_1H'];
  const quantity = o.quantity ?? 1;
  return {
    packId: 'pack-under-test',
    packCode: offer.code,
    quantity,
    totalHours: offer.hours * quantity,
    sessionHours: offer.sessionHours,
    breakMinutes: offer.breakMinutes,
    priceCents: offer.priceCents * quantity,
    currency: 'EUR',
    paymentMethod: o.paymentMethod ?? 'card',
    orderedAtMs: o.orderedAtMs ?? ORDERED,
    settings: { ...DEFAULT_SETTINGS, ...o.settings },
  };
}

/** An order just placed (its ORDER_PLACED effect already taken). */
function order(o: Order = {}): PackModel {
  const model = new PackModel(inputOf(o), initialData());
  model.orderPlaced(model.input.orderedAtMs);
  model.takeEffects();
  return model;
}

let keys = 0;
/** A payment received at `nowMs`: the pack's price by the order's method unless told otherwise. */
function pay(model: PackModel, nowMs: number, p: Partial<PaymentSignal> = {}): PaymentSignal {
  const signal: PaymentSignal = {
    method: model.input.paymentMethod,
    amountCents: model.input.priceCents,
    reference: `pi_${++keys}`,
    paidAt: iso(nowMs),
    idempotencyKey: `payment-${keys}`,
    ...p,
  };
  model.paymentReceived(signal, nowMs);
  return signal;
}

/** An order paid at PAID (its effects taken). */
function paidPack(o: Order = {}): PackModel {
  const model = order(o);
  pay(model, PAID);
  model.takeEffects();
  return model;
}

let ids = 0;
/** A session requested at `nowMs`, as the workflow books it: the pack's checks, then the calendar's answer. */
function book(model: PackModel, startMs: number, nowMs: number, autoConfirm = true): BookingView {
  const { startMs: checked } = model.checkNewSession(iso(startMs), nowMs);
  return model.addBooking(`booking-${++ids}`, checked, autoConfirm, nowMs);
}

/** Lets time pass until `untilMs` as the workflow does, each timer handled at its own instant; true once the pack may close. */
function passTime(model: PackModel, untilMs: number): boolean {
  for (;;) {
    const next = model.timers()[0];
    if (!next || next.atMs > untilMs) return false;
    if (model.fireDue(next.atMs)) return true;
  }
}

const events = (effects: Effect[]): PackEvent[] => effects.flatMap((e) => (e.kind === 'event' ? [e.event] : []));
const eventTypes = (effects: Effect[]): string[] => events(effects).map((e) => e.type);
const eventOf = (effects: Effect[], type: string): PackEvent => {
  const found = events(effects).find((e) => e.type === type);
  if (!found) throw new Error(`no ${type} among ${eventTypes(effects).join(', ')}`);
  return found;
};
const timerKinds = (model: PackModel): string[] => model.timers().map((t) => t.kind);

/** The API error code a rule refuses with. */
function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof PackRuleError) return err.code;
    throw err;
  }
  throw new Error('expected the rule to refuse, it accepted');
}

// ----------------------------------------------------------------------------------------------- order and payment

describe('order and payment', () => {
  test('an order is announced to the client and the provider, with its payment deadline 7 days later', () => {
    const model = new PackModel(inputOf(), initialData());
    model.orderPlaced(ORDERED);
    const placed = eventOf(model.takeEffects(), 'ORDER_PLACED');
    expect(placed).toMatchObject({ seq: 1, key: '1:ORDER_PLACED', atMs: ORDERED });
    expect(placed.data).toEqual({
      paymentMethod: 'card',
      amountCents: 9_000,
      paymentDeadline: iso(ORDERED + 7 * DAY),
      // What the first email's contract documents state: the withdrawal rule and the period's end (Monday 18, midnight).
      withdrawalAfterStart: 'refused',
      withdrawalEndsAt: '2027-01-18T23:00:00.000Z',
    });
    expect(placed.emails).toEqual([
      { template: 'ORDER_RECEIVED', to: 'client' },
      { template: 'PROVIDER_ORDER_RECEIVED', to: 'provider' },
    ]);
    expect(model.snapshot(ORDERED)).toMatchObject({ status: 'AWAITING_PAYMENT', paymentDeadline: iso(ORDERED + 7 * DAY) });
  });

  test('an unpaid order is reminded 2 days before its deadline, then cancelled at the deadline', () => {
    const model = order({ paymentMethod: 'bank_transfer' });
    passTime(model, ORDERED + 5 * DAY - 1);
    expect(model.takeEffects()).toEqual([]);

    passTime(model, ORDERED + 5 * DAY);
    expect(events(model.takeEffects())).toEqual([
      expect.objectContaining({
        type: 'PAYMENT_REMINDER',
        atMs: ORDERED + 5 * DAY,
        emails: [{ template: 'PAYMENT_REMINDER', to: 'client' }],
      }),
    ]);
    expect(model.data.status).toBe('AWAITING_PAYMENT');

    passTime(model, ORDERED + 7 * DAY);
    expect(eventTypes(model.takeEffects())).toEqual(['ORDER_CANCELLED_UNPAID']);
    expect(model.data).toMatchObject({ status: 'CANCELLED_UNPAID', endedAtMs: ORDERED + 7 * DAY, paidAtMs: null });
  });

  test('the payment activates the pack for 3 calendar months from the day it was received', () => {
    const model = order();
    pay(model, PAID);
    const confirmed = eventOf(model.takeEffects(), 'PAYMENT_CONFIRMED');
    expect(confirmed.data).toMatchObject({ amountCents: 9_000, paidAt: iso(PAID), expiresAt: iso(EXPIRES) });
    expect(confirmed.emails.map((e) => e.template)).toEqual(['PAYMENT_CONFIRMED', 'PROVIDER_PAYMENT_CONFIRMED']);
    expect(model.snapshot(PAID)).toMatchObject({ status: 'ACTIVE', paidAt: iso(PAID), expiresAt: iso(EXPIRES), paidCents: 9_000 });
    expect(model.hours()).toEqual({ total: 1, used: 0, forfeited: 0, reserved: 0, available: 1 });
  });

  test('a transfer received before it is reported starts the validity on the day it arrived, never in the future', () => {
    const earlier = order({ paymentMethod: 'bank_transfer' });
    pay(earlier, PAID, { paidAt: iso(PAID - DAY) });
    expect(earlier.data.expiresAtMs).toBe(paris('2027-04-03T12:00'));

    const future = order({ paymentMethod: 'bank_transfer' });
    pay(future, PAID, { paidAt: iso(PAID + DAY) });
    expect(future.data.paidAtMs).toBe(PAID);
  });

  test('the payment reminder and deadline timers disappear once the pack is paid', () => {
    const model = order();
    expect(timerKinds(model)).toEqual(['PAYMENT_REMINDER', 'PAYMENT_DEADLINE', 'WITHDRAWAL_PERIOD_END']);
    pay(model, PAID);
    expect(timerKinds(model)).not.toContain('PAYMENT_REMINDER');
    expect(timerKinds(model)).not.toContain('PAYMENT_DEADLINE');
    expect(timerKinds(model)).toEqual(['WITHDRAWAL_PERIOD_END', 'EXPIRY_WARNING', 'EXPIRY_WARNING', 'EXPIRY']);
    // Their instants pass without a reminder or a cancellation.
    passTime(model, ORDERED + 8 * DAY);
    expect(eventTypes(model.takeEffects())).toEqual(['PAYMENT_CONFIRMED']);
    expect(model.data.status).toBe('ACTIVE');
  });

  test('the same payment received twice (same idempotency key) counts once', () => {
    const model = order();
    const payment = pay(model, PAID);
    model.paymentReceived({ ...payment }, PAID + MINUTE);
    expect(model.data.payments).toHaveLength(1);
    expect(model.data.paidCents).toBe(9_000);
    expect(eventTypes(model.takeEffects())).toEqual(['PAYMENT_CONFIRMED']);
  });

  test('too little is recorded as PARTIAL and the provider told; the pack waits, and the remainder activates it', () => {
    const model = order({ paymentMethod: 'bank_transfer' });
    pay(model, PAID, { amountCents: 7_000 });
    const incomplete = eventOf(model.takeEffects(), 'PAYMENT_INCOMPLETE');
    expect(incomplete.data).toMatchObject({ receivedCents: 7_000, expectedCents: 9_000 });
    expect(incomplete.emails).toEqual([{ template: 'PROVIDER_PAYMENT_MISMATCH', to: 'provider' }]);
    expect(model.snapshot(PAID)).toMatchObject({ status: 'AWAITING_PAYMENT', paidCents: 7_000, paidAt: null });
    expect(model.data.payments.map((p) => p.outcome)).toEqual(['PARTIAL']);

    pay(model, PAID + DAY, { amountCents: 2_000 });
    expect(eventTypes(model.takeEffects())).toEqual(['PAYMENT_CONFIRMED']);
    expect(model.snapshot(PAID + DAY)).toMatchObject({ status: 'ACTIVE', paidCents: 9_000, paidAt: iso(PAID + DAY) });
  });

  test('a partial payment is given back when the deadline passes unpaid', () => {
    const model = order({ paymentMethod: 'bank_transfer' });
    const partial = pay(model, PAID, { amountCents: 5_000 });
    model.takeEffects();
    passTime(model, ORDERED + 7 * DAY);
    const effects = model.takeEffects();
    expect(eventTypes(effects)).toEqual(['PAYMENT_REMINDER', 'ORDER_CANCELLED_UNPAID']);
    expect(effects.filter((e) => e.kind === 'refund')).toEqual([
      {
        kind: 'refund',
        key: `unpaid:${partial.idempotencyKey}`,
        method: 'bank_transfer',
        reference: partial.reference,
        amountCents: 5_000,
        reason: 'ORDER_CANCELLED',
        // Should it fall to the provider: by the end of the 14th day after the cancellation.
        dueAtMs: paris('2027-01-26T00:00'),
      },
    ]);
    expect(model.data.payments.map((p) => p.outcome)).toEqual(['FLAGGED']);
  });

  test('a surplus activates the pack and the provider is told of it', () => {
    const model = order();
    pay(model, PAID, { amountCents: 10_000 });
    const effects = model.takeEffects();
    expect(eventTypes(effects)).toEqual(['PAYMENT_CONFIRMED', 'PAYMENT_SURPLUS']);
    expect(eventOf(effects, 'PAYMENT_SURPLUS').data).toMatchObject({ receivedCents: 10_000, expectedCents: 9_000 });
    expect(model.data.status).toBe('ACTIVE');
    expect(model.data.payments.map((p) => p.outcome)).toEqual(['SURPLUS']);
  });

  test('a card payment for a pack already paid is refunded through Stripe and the pack is unchanged', () => {
    const model = paidPack();
    const second = pay(model, PAID + HOUR);
    const effects = model.takeEffects();
    expect(effects[0]).toEqual({
      kind: 'refund',
      key: `payment:${second.idempotencyKey}`,
      method: 'card',
      reference: second.reference,
      amountCents: 9_000,
      reason: 'UNEXPECTED_PAYMENT',
      dueAtMs: paris('2027-01-19T00:00'),
    });
    const refunded = eventOf(effects, 'UNEXPECTED_PAYMENT_REFUNDED');
    expect(refunded.data).toMatchObject({ status: 'ACTIVE', amountCents: 9_000 });
    expect(refunded.emails.map((e) => e.template)).toEqual(['UNEXPECTED_PAYMENT_REFUNDED', 'PROVIDER_UNEXPECTED_PAYMENT']);
    expect(model.data).toMatchObject({ status: 'ACTIVE', paidCents: 9_000, paidAtMs: PAID });
    expect(model.data.payments.map((p) => p.outcome)).toEqual(['ACCEPTED', 'REFUNDED']);
  });

  test('a bank transfer for an order cancelled unpaid is flagged for the provider to send back', () => {
    const model = order({ paymentMethod: 'bank_transfer' });
    passTime(model, ORDERED + 7 * DAY);
    model.takeEffects();
    pay(model, ORDERED + 8 * DAY);
    const effects = model.takeEffects();
    expect(effects.map((e) => e.kind)).toEqual(['refund', 'event']);
    expect(eventOf(effects, 'UNEXPECTED_PAYMENT_FLAGGED').data).toMatchObject({ status: 'CANCELLED_UNPAID' });
    expect(model.data).toMatchObject({ status: 'CANCELLED_UNPAID', paidAtMs: null });
    expect(model.data.payments.map((p) => p.outcome)).toEqual(['FLAGGED']);
  });

  test('a refund carried out goes on the timeline: issued by Stripe, or a task (and an email) for the provider', () => {
    const model = paidPack();
    pay(model, PAID + HOUR);
    const [refund] = model.takeEffects();
    if (refund.kind !== 'refund') throw new Error('expected a refund first');

    model.refundRecorded(refund, { status: 'REFUNDED', stripeRefundId: 're_1' }, PAID + 2 * HOUR);
    const issued = eventOf(model.takeEffects(), 'REFUND_ISSUED');
    expect(issued.data).toEqual({
      key: refund.key,
      method: 'card',
      amountCents: 9_000,
      reason: 'UNEXPECTED_PAYMENT',
      stripeRefundId: 're_1',
    });
    expect(issued.emails).toEqual([]);

    model.refundRecorded(refund, { status: 'PROVIDER_TASK' }, PAID + 3 * HOUR);
    const task = eventOf(model.takeEffects(), 'REFUND_TASK_CREATED');
    expect(task.data).toMatchObject({ stripeRefundId: null });
    expect(task.emails).toEqual([{ template: 'PROVIDER_REFUND_TASK', to: 'provider' }]);
  });

  test('a payment signal without a method, a positive whole amount, a reference and a key is not considered', () => {
    const good: PaymentSignal = { method: 'card', amountCents: 9_000, reference: 'pi_1', paidAt: iso(PAID), idempotencyKey: 'k' };
    expect(isValidPaymentSignal(good)).toBe(true);
    for (const bad of [
      { ...good, method: 'cash' },
      { ...good, amountCents: 0 },
      { ...good, amountCents: 10.5 },
      { ...good, reference: 42 },
      { ...good, idempotencyKey: '' },
    ]) {
      expect(isValidPaymentSignal(bad as unknown as PaymentSignal)).toBe(false);
    }
  });
});

// ----------------------------------------------------------------------------------------------- booking

describe('booking a session', () => {
  const start = paris('2027-01-20T10:00');

  test('booking before the payment is received is refused with PAYMENT_PENDING', () => {
    const model = order();
    expect(refusal(() => model.checkNewSession(iso(start), PAID))).toBe('PAYMENT_PENDING');
  });

  test('booking on an expired pack is refused with PACK_NOT_ACTIVE', () => {
    const model = paidPack();
    expect(passTime(model, EXPIRES)).toBe(true);
    expect(model.data.status).toBe('EXPIRED');
    expect(refusal(() => model.checkNewSession(iso(EXPIRES + DAY), EXPIRES + HOUR))).toBe('PACK_NOT_ACTIVE');
  });

  test('a session must start after now (TOO_SOON)', () => {
    const model = paidPack();
    expect(refusal(() => model.checkNewSession(iso(PAID), PAID))).toBe('TOO_SOON');
    expect(model.checkNewSession(iso(PAID + MINUTE), PAID)).toEqual({ startMs: PAID + MINUTE, endMs: PAID + MINUTE + HOUR });
  });

  test('a session must end by the pack’s expiry (AFTER_EXPIRY); one ending exactly then is accepted', () => {
    const model = paidPack();
    expect(refusal(() => model.checkNewSession(iso(EXPIRES - 30 * MINUTE), PAID))).toBe('AFTER_EXPIRY');
    expect(book(model, EXPIRES - HOUR, PAID)).toMatchObject({ end: iso(EXPIRES), status: 'CONFIRMED' });
  });

  test('a start is an ISO 8601 instant with its offset, on a whole minute (VALIDATION_FAILED)', () => {
    const model = paidPack();
    for (const bad of ['demain', '2027-01-20', '2027-01-20T10:00:00', '2027-01-20T10:00:30Z', 42, undefined]) {
      expect(refusal(() => model.checkNewSession(bad, PAID))).toBe('VALIDATION_FAILED');
    }
    expect(model.checkNewSession('2027-01-20T10:00+01:00', PAID).startMs).toBe(start);
  });

  test('a pack cannot book more hours than it has left (INSUFFICIENT_HOURS)', () => {
    const model = paidPack({ quantity: 2 });
    book(model, start, PAID);
    book(model, start + DAY, PAID);
    expect(refusal(() => model.checkNewSession(iso(start + 2 * DAY), PAID))).toBe('INSUFFICIENT_HOURS');
    expect(model.hours()).toMatchObject({ total: 2, reserved: 2, available: 0 });
  });

  test('the hours of a request whose reservation is in flight are held: a second request cannot spend them', () => {
    const model = paidPack();
    const release = model.holdHours();
    expect(model.hours()).toMatchObject({ reserved: 1, available: 0 });
    expect(refusal(() => model.checkNewSession(iso(start), PAID))).toBe('INSUFFICIENT_HOURS');
    release();
    release(); // settling twice (answer, then finally) gives the hours back once
    expect(model.hours()).toMatchObject({ reserved: 0, available: 1 });
  });

  test('a half-day session is one 3-hour block that reserves the pack’s 3 hours', () => {
    const model = paidPack({ code: 'PACK_HALF_DAY' });
    const b = book(model, paris('2027-01-20T09:00'), PAID);
    expect(b).toMatchObject({ hours: 3, start: iso(paris('2027-01-20T09:00')), end: iso(paris('2027-01-20T12:00')) });
    expect(model.hours()).toEqual({ total: 3, used: 0, forfeited: 0, reserved: 3, available: 0 });
  });

  test('a day session lasts 6 hours plus the break and consumes 6 hours once held', () => {
    const model = paidPack({ code: 'PACK_DAY' });
    const b = book(model, paris('2027-01-20T09:00'), PAID);
    // « 6h consécutives hors temps de pause »: 09:00 to 16:00 with the default 60-minute break.
    expect(Date.parse(b.end) - Date.parse(b.start)).toBe(6 * HOUR + 60 * MINUTE);
    expect(b.end).toBe(iso(paris('2027-01-20T16:00')));
    expect(model.hours()).toMatchObject({ total: 6, reserved: 6, available: 0 });

    passTime(model, paris('2027-01-20T16:00'));
    expect(model.booking(b.id).status).toBe('HELD');
    expect(model.hours()).toEqual({ total: 6, used: 6, forfeited: 0, reserved: 0, available: 0 });
  });

  test('with automatic confirmation a session is confirmed at once, the client and the provider told', () => {
    const model = paidPack();
    const b = book(model, start, PAID, true);
    expect(b.status).toBe('CONFIRMED');
    expect(b.history.map((h) => [h.status, h.by])).toEqual([
      ['REQUESTED', 'client'],
      ['CONFIRMED', 'system'],
    ]);
    const confirmed = eventOf(model.takeEffects(), 'BOOKING_CONFIRMED');
    expect(confirmed.data).toEqual({
      bookingId: b.id,
      start: b.start,
      end: b.end,
      hours: 1,
      revision: 0,
      sequence: 0,
      status: 'CONFIRMED',
    });
    expect(confirmed.emails.map((e) => e.template)).toEqual(['BOOKING_CONFIRMED', 'PROVIDER_BOOKING_CONFIRMED']);
  });

  test('without automatic confirmation a request waits for the provider, its hours reserved', () => {
    const model = paidPack();
    const b = book(model, start, PAID, false);
    expect(b.status).toBe('REQUESTED');
    expect(eventTypes(model.takeEffects())).toEqual(['BOOKING_REQUESTED']);
    expect(model.hours()).toMatchObject({ reserved: 1, available: 0 });
    expect(timerKinds(model)).toContain('REQUEST_UNANSWERED');
    expect(timerKinds(model)).not.toContain('SESSION_REMINDER');
  });

  test('the provider confirms a request once; a session no longer waiting cannot be confirmed or declined', () => {
    const model = paidPack();
    const b = book(model, start, PAID, false);
    expect(model.confirm(b.id, PAID + HOUR).status).toBe('CONFIRMED');
    expect(timerKinds(model)).toContain('SESSION_REMINDER');
    expect(refusal(() => model.checkProviderDecision(b.id))).toBe('BOOKING_NOT_CANCELLABLE');
    expect(refusal(() => model.confirm('no-such-booking', PAID + HOUR))).toBe('BOOKING_NOT_FOUND');
  });

  test('a declined request releases its calendar slot and gives its hours back', () => {
    const model = paidPack();
    const b = book(model, start, PAID, false);
    model.takeEffects();
    model.decline(b.id, PAID + HOUR, 'indisponible');
    const effects = model.takeEffects();
    expect(effects[0]).toEqual({ kind: 'releaseSlot', slotId: `${b.id}:0` });
    const declined = eventOf(effects, 'BOOKING_DECLINED');
    expect(declined.data).toMatchObject({ reason: 'indisponible', status: 'DECLINED' });
    expect(declined.emails).toEqual([{ template: 'BOOKING_DECLINED', to: 'client' }]);
    expect(model.hours()).toMatchObject({ reserved: 0, available: 1 });
  });

  test('a request the provider never answers is declined at its start time, the provider told, its hours back', () => {
    const model = paidPack();
    const b = book(model, start, PAID, false);
    model.takeEffects();
    passTime(model, start);
    const effects = model.takeEffects();
    expect(effects.map((e) => e.kind)).toEqual(['releaseSlot', 'event']);
    const declined = eventOf(effects, 'BOOKING_DECLINED');
    expect(declined).toMatchObject({ atMs: start, data: { reason: "demande non confirmée avant l'heure prévue" } });
    expect(declined.emails.map((e) => e.template)).toEqual(['BOOKING_DECLINED', 'PROVIDER_BOOKING_EXPIRED']);
    expect(model.booking(b.id).history.at(-1)).toMatchObject({ status: 'DECLINED', by: 'system' });
    expect(model.hours()).toMatchObject({ reserved: 0, available: 1 });
    expect(model.data.status).toBe('ACTIVE');
  });
});

// ----------------------------------------------------------------------------------------------- the 24-hour rule

describe('cancelling under the 24-hour rule', () => {
  test('cancelling 24h00 before the start is free; 23h59 before is billed', () => {
    const model = paidPack({ quantity: 2 });
    const a = book(model, paris('2027-02-10T10:00'), PAID);
    const b = book(model, paris('2027-02-10T14:00'), PAID);
    expect(model.cancel(a.id, 'client', paris('2027-02-09T10:00'))).toMatchObject({ penalty: false, hoursReturned: 1 });
    expect(model.cancel(b.id, 'client', paris('2027-02-09T14:01'))).toMatchObject({ penalty: true, hoursReturned: 0 });
    expect(model.booking(b.id).status).toBe('LATE_CANCELLED');
    expect(model.hours()).toMatchObject({ total: 2, forfeited: 1, available: 1 });
  });

  test('across the March change (28 March 2027), 24 real hours before 10:00 is 09:00 the day before', () => {
    const model = paidPack({ quantity: 2 });
    const a = book(model, paris('2027-03-28T10:00'), PAID);
    const b = book(model, paris('2027-03-28T10:00') + 2 * HOUR, PAID);
    expect(model.cancel(a.id, 'client', paris('2027-03-27T09:00')).penalty).toBe(false);
    // 12:00 on the 28th: 24 real hours before is 11:00 on the 27th; at 11:01 the wall clock still says "24h59 before".
    expect(model.cancel(b.id, 'client', paris('2027-03-27T11:01')).penalty).toBe(true);
  });

  test('across the October change (31 October 2027), 24 real hours before 10:00 is 11:00 the day before', () => {
    const model = order({ quantity: 2, orderedAtMs: paris('2027-08-20T10:00') });
    pay(model, paris('2027-08-20T12:00'));
    const a = book(model, paris('2027-10-31T10:00'), paris('2027-08-21T10:00'));
    const b = book(model, paris('2027-10-31T15:00'), paris('2027-08-21T10:00'));
    // At 10:30 on the 30th the wall clock says "23h30 before", yet 24h30 elapse before the session: free.
    expect(model.cancel(a.id, 'client', paris('2027-10-30T10:30')).penalty).toBe(false);
    // 16:01 on the 30th is 23h59 of real time before 15:00 on the 31st (the wall clock says "22h59").
    expect(model.cancel(b.id, 'client', paris('2027-10-30T16:01')).penalty).toBe(true);
  });

  test('late cancellation of a half-day session forfeits its 3 hours, and a pack left without hours is USED_UP', () => {
    const model = paidPack({ code: 'PACK_HALF_DAY' });
    const b = book(model, paris('2027-01-20T09:00'), PAID);
    model.takeEffects();
    const at = paris('2027-01-19T12:00'); // 21 hours before
    expect(model.cancel(b.id, 'client', at)).toMatchObject({ penalty: true, hoursReturned: 0, booking: { status: 'LATE_CANCELLED' } });
    expect(model.hours()).toEqual({ total: 3, used: 0, forfeited: 3, reserved: 0, available: 0 });
    const effects = model.takeEffects();
    expect(effects.map((e) => (e.kind === 'event' ? e.event.type : e.kind))).toEqual([
      'releaseSlot',
      'BOOKING_CANCELLED_BILLED',
      'PACK_USED_UP',
    ]);
    expect(eventOf(effects, 'BOOKING_CANCELLED_BILLED').emails.map((e) => e.template)).toEqual([
      'BOOKING_CANCELLED_BILLED',
      'PROVIDER_BOOKING_CANCELLED',
    ]);
    expect(model.data).toMatchObject({ status: 'USED_UP', endedAtMs: at });
  });

  test('a free cancellation gives the hours back, releases the slot and cancels the invite (next revision)', () => {
    const model = paidPack();
    const b = book(model, paris('2027-01-20T10:00'), PAID);
    model.takeEffects();
    model.cancel(b.id, 'client', PAID + HOUR);
    const effects = model.takeEffects();
    expect(effects[0]).toEqual({ kind: 'releaseSlot', slotId: `${b.id}:0` });
    expect(eventOf(effects, 'BOOKING_CANCELLED').data).toMatchObject({ revision: 1, status: 'CANCELLED', by: 'client' });
    expect(model.hours()).toMatchObject({ forfeited: 0, reserved: 0, available: 1 });
    expect(model.data.status).toBe('ACTIVE');
  });

  test('withdrawing a request the provider has not confirmed is free, even an hour before', () => {
    const model = paidPack();
    const b = book(model, paris('2027-01-20T10:00'), PAID, false);
    expect(model.cancel(b.id, 'client', paris('2027-01-20T09:00')).penalty).toBe(false);
  });

  test('a cancellation by the provider never costs the client, even an hour before the start', () => {
    const model = paidPack();
    const b = book(model, paris('2027-01-20T10:00'), PAID);
    expect(model.cancel(b.id, 'provider', paris('2027-01-20T09:00'))).toMatchObject({ penalty: false, hoursReturned: 1 });
    expect(model.hours()).toMatchObject({ forfeited: 0, available: 1 });
  });

  test('a session that has begun can no longer be cancelled; an unknown one is BOOKING_NOT_FOUND', () => {
    const model = paidPack();
    const b = book(model, paris('2027-01-20T10:00'), PAID);
    expect(refusal(() => model.checkChangeable(b.id, paris('2027-01-20T10:00')))).toBe('BOOKING_NOT_CANCELLABLE');
    expect(refusal(() => model.checkChangeable('no-such-booking', PAID))).toBe('BOOKING_NOT_FOUND');
  });
});

// ----------------------------------------------------------------------------------------------- rescheduling

describe('rescheduling', () => {
  const start = paris('2027-01-20T10:00');
  const later = paris('2027-01-22T15:00');

  test('moving more than 24 h ahead is free: the same booking, its new time, the next revision, the old range released', () => {
    const model = paidPack({ quantity: 3 });
    const b = book(model, start, PAID);
    model.takeEffects();
    const checked = model.checkReschedule(b.id, iso(later), 'client', PAID);
    expect(checked).toMatchObject({ startMs: later, penalty: false });
    // The workflow reserves the new range first, under the next revision's slot.
    expect(model.slotFor(b.id, checked.booking.revision + 1)).toBe(`${b.id}:1`);
    const moved = model.moveBooking(b.id, later, 'client', true, PAID);
    expect(moved).toMatchObject({ id: b.id, start: iso(later), status: 'CONFIRMED', revision: 1 });
    const effects = model.takeEffects();
    expect(effects[0]).toEqual({ kind: 'releaseSlot', slotId: `${b.id}:0` });
    expect(eventOf(effects, 'BOOKING_RESCHEDULED').data).toMatchObject({ from: iso(start), start: iso(later), by: 'client' });
    expect(model.hours()).toMatchObject({ reserved: 1, forfeited: 0, available: 2 });
  });

  test('moving less than 24 h ahead bills the session as planned and books the new time on the remaining hours', () => {
    const model = paidPack({ quantity: 3 });
    const b = book(model, start, PAID);
    model.takeEffects();
    const now = start - 12 * HOUR;
    expect(model.checkReschedule(b.id, iso(later), 'client', now).penalty).toBe(true);
    const billed = model.billLateMove(b.id, 'client', now);
    const renewed = model.addBooking('booking-renewed', later, true, now);
    expect(billed).toMatchObject({ status: 'LATE_CANCELLED', revision: 1 });
    expect(renewed).toMatchObject({ start: iso(later), status: 'CONFIRMED', revision: 0 });
    expect(eventOf(model.takeEffects(), 'BOOKING_CANCELLED_BILLED').data).toMatchObject({ reschedule: true });
    expect(model.hours()).toEqual({ total: 3, used: 0, forfeited: 1, reserved: 1, available: 1 });
  });

  test('a late move needs hours of its own: refused with INSUFFICIENT_HOURS when none is left', () => {
    const model = paidPack();
    const b = book(model, start, PAID);
    expect(refusal(() => model.checkReschedule(b.id, iso(later), 'client', start - 12 * HOUR))).toBe('INSUFFICIENT_HOURS');
    expect(model.checkReschedule(b.id, iso(later), 'provider', start - 12 * HOUR).penalty).toBe(false);
  });

  test('a client’s move without automatic confirmation is a new request for the provider; a provider’s is agreed', () => {
    const model = paidPack({ quantity: 2 });
    const a = book(model, start, PAID);
    const b = book(model, start + DAY, PAID);
    expect(model.moveBooking(a.id, later, 'client', false, PAID).status).toBe('REQUESTED');
    expect(model.moveBooking(b.id, later + DAY, 'provider', false, PAID).status).toBe('CONFIRMED');
    expect(model.timers().find((t) => t.kind === 'REQUEST_UNANSWERED')).toEqual({
      atMs: later,
      kind: 'REQUEST_UNANSWERED',
      key: `unanswered:${a.id}:1`,
    });
  });

  test('a confirmed session the client moves without automatic confirmation awaits the provider, and its invite says so', () => {
    const model = paidPack({ quantity: 2 });
    const b = book(model, start, PAID);
    model.takeEffects();
    const moved = model.moveBooking(b.id, later, 'client', false, PAID);
    expect(moved).toMatchObject({ status: 'REQUESTED', revision: 1, sequence: 1 });
    const effects = model.takeEffects();
    // The former time is freed at once (the reservation of the new one released it); the new one waits.
    expect(effects[0]).toEqual({ kind: 'releaseSlot', slotId: `${b.id}:0` });
    expect(eventOf(effects, 'BOOKING_RESCHEDULED').data).toMatchObject({
      status: 'REQUESTED',
      sequence: 1,
      from: iso(start),
      by: 'client',
    });
    expect(timerKinds(model)).toContain('REQUEST_UNANSWERED');
    expect(timerKinds(model)).not.toContain('SESSION_REMINDER');
  });

  test('the provider’s confirmation of a moved session sends an invite whose sequence is above the tentative one’s', () => {
    const model = paidPack({ quantity: 2 });
    const b = book(model, start, PAID);
    model.moveBooking(b.id, later, 'client', false, PAID);
    model.takeEffects();
    const confirmed = model.confirm(b.id, PAID + HOUR);
    expect(confirmed).toMatchObject({ status: 'CONFIRMED', revision: 1, sequence: 2 });
    expect(eventOf(model.takeEffects(), 'BOOKING_CONFIRMED').data).toMatchObject({ status: 'CONFIRMED', sequence: 2, start: iso(later) });
    // The calendar keeps the slot the move reserved: confirming changes the invite, not the reservation.
    expect(model.slotFor(b.id, confirmed.revision)).toBe(`${b.id}:1`);
  });

  test('a move by the provider, or by the client under automatic confirmation, keeps the session confirmed', () => {
    const model = paidPack({ quantity: 2 });
    const a = book(model, start, PAID);
    const b = book(model, start + DAY, PAID);
    expect(model.moveBooking(a.id, later, 'provider', false, PAID)).toMatchObject({ status: 'CONFIRMED', sequence: 1 });
    expect(model.moveBooking(b.id, later + DAY, 'client', true, PAID)).toMatchObject({ status: 'CONFIRMED', sequence: 1 });
    expect(eventTypes(model.takeEffects()).filter((t) => t === 'BOOKING_RESCHEDULED')).toHaveLength(2);
  });

  test('a moved request the provider declines withdraws its tentative invite (CANCEL, next sequence)', () => {
    const model = paidPack({ quantity: 2 });
    const b = book(model, start, PAID);
    model.moveBooking(b.id, later, 'client', false, PAID);
    model.takeEffects();
    expect(model.decline(b.id, PAID + HOUR, 'indisponible')).toMatchObject({ status: 'DECLINED', sequence: 2 });
    const effects = model.takeEffects();
    expect(effects[0]).toEqual({ kind: 'releaseSlot', slotId: `${b.id}:1` });
    expect(eventOf(effects, 'BOOKING_DECLINED').data).toMatchObject({ sequence: 2, cancelsInvite: true });
    // A request never moved had no invite: nothing to withdraw.
    const fresh = book(model, start + DAY, PAID, false);
    model.takeEffects();
    model.decline(fresh.id, PAID + HOUR);
    expect(eventOf(model.takeEffects(), 'BOOKING_DECLINED').data).not.toHaveProperty('cancelsInvite');
  });

  test('a cancellation bumps the invite’s sequence past the last one sent', () => {
    const model = paidPack({ quantity: 2 });
    const b = book(model, start, PAID);
    model.moveBooking(b.id, later, 'client', false, PAID);
    model.confirm(b.id, PAID + HOUR);
    model.takeEffects();
    model.cancel(b.id, 'client', PAID + 2 * HOUR);
    expect(eventOf(model.takeEffects(), 'BOOKING_CANCELLED').data).toMatchObject({ revision: 2, sequence: 3 });
  });

  test('a booking carried from before the invite sequence takes its revision as sequence; its slot ids do not change', () => {
    const model = paidPack({ quantity: 2 });
    const b = book(model, start, PAID);
    model.moveBooking(b.id, later, 'client', true, PAID);
    const carried = JSON.parse(JSON.stringify(model.data)) as typeof model.data;
    for (const x of carried.bookings) delete (x as Partial<BookingView>).sequence;
    const next = new PackModel(model.input, carried);
    next.takeEffects();
    const again = next.moveBooking(b.id, later + DAY, 'client', false, PAID);
    expect(again).toMatchObject({ revision: 2, sequence: 2 });
    expect(next.takeEffects()[0]).toEqual({ kind: 'releaseSlot', slotId: `${b.id}:1` });
    expect(next.confirm(b.id, PAID + HOUR).sequence).toBe(3);
  });
});

// ----------------------------------------------------------------------------------------------- a session's day

describe('a session’s day', () => {
  const start = paris('2027-01-20T10:00');

  test('reminders go out 24 h and 1 h before a confirmed session, once each', () => {
    const model = paidPack();
    const b = book(model, start, PAID);
    model.takeEffects();
    passTime(model, start - HOUR);
    passTime(model, start - HOUR); // the same instant again sends nothing more
    const reminders = events(model.takeEffects());
    expect(reminders.map((e) => [e.type, e.atMs, e.data.beforeMs])).toEqual([
      ['SESSION_REMINDER', start - 24 * HOUR, 24 * HOUR],
      ['SESSION_REMINDER', start - HOUR, HOUR],
    ]);
    expect(reminders[0].data).toMatchObject({ bookingId: b.id, start: b.start });
    expect(reminders[0].emails.map((e) => e.template)).toEqual(['SESSION_REMINDER', 'PROVIDER_SESSION_REMINDER']);
  });

  test('a reminder whose time has come when the session is confirmed is not sent late', () => {
    const model = paidPack();
    const now = start - 24 * HOUR; // the 24-hour reminder is due at this very instant
    book(model, start, now);
    expect(model.timers().filter((t) => t.kind === 'SESSION_REMINDER')).toEqual([expect.objectContaining({ atMs: start - HOUR })]);
  });

  test('a cancelled session has no reminders; a moved one has them at its new time only', () => {
    const model = paidPack({ quantity: 2 });
    const cancelled = book(model, start, PAID);
    const moved = book(model, start + DAY, PAID);
    model.cancel(cancelled.id, 'client', PAID);
    const later = start + 3 * DAY;
    model.moveBooking(moved.id, later, 'client', true, PAID);
    expect(model.timers().filter((t) => t.kind.startsWith('SESSION_'))).toEqual([
      { atMs: later - 24 * HOUR, kind: 'SESSION_REMINDER', key: `remind:${moved.id}:1:${24 * HOUR}` },
      { atMs: later - HOUR, kind: 'SESSION_REMINDER', key: `remind:${moved.id}:1:${HOUR}` },
      { atMs: later, kind: 'SESSION_START', key: `start:${moved.id}:1` },
      { atMs: later + HOUR, kind: 'SESSION_END', key: `end:${moved.id}:1` },
    ]);
  });

  test('a session starts at its time (the withdrawal right is lost) and is HELD at its end, its hours used', () => {
    const model = paidPack({ quantity: 2 });
    const b = book(model, start, PAID);
    model.takeEffects();
    passTime(model, start);
    expect(eventTypes(model.takeEffects()).at(-1)).toBe('SESSION_STARTED');
    expect(model.snapshot(start).withdrawal).toMatchObject({ allowed: false, reason: 'SESSION_STARTED' });
    passTime(model, start + HOUR);
    expect(eventTypes(model.takeEffects())).toEqual(['SESSION_HELD']);
    expect(model.booking(b.id).history.at(-1)).toMatchObject({ status: 'HELD', by: 'system' });
    expect(model.hours()).toEqual({ total: 2, used: 1, forfeited: 0, reserved: 0, available: 1 });
    expect(model.data.status).toBe('ACTIVE');
  });

  test('a pack whose hours are all used is USED_UP, the client told, and closes after the 7-day grace', () => {
    const model = paidPack();
    book(model, start, PAID);
    model.takeEffects();
    passTime(model, start + HOUR);
    const usedUp = eventOf(model.takeEffects(), 'PACK_USED_UP');
    expect(usedUp.emails.map((e) => e.template)).toEqual(['PACK_ENDED_USED_UP', 'PROVIDER_PACK_ENDED']);
    expect(model.data).toMatchObject({ status: 'USED_UP', endedAtMs: start + HOUR });
    expect(model.closesAtMs()).toBe(start + HOUR + 7 * DAY);
    expect(passTime(model, start + HOUR + 7 * DAY - 1)).toBe(false);
    expect(passTime(model, start + HOUR + 7 * DAY)).toBe(true);
  });

  test('a used-up pack closes at its expiry when that comes before the end of the grace', () => {
    const model = paidPack();
    book(model, EXPIRES - 2 * DAY, PAID);
    passTime(model, EXPIRES - 2 * DAY + HOUR);
    expect(model.data.status).toBe('USED_UP');
    expect(model.closesAtMs()).toBe(EXPIRES);
  });

  test('an absence can be reported only once a confirmed session has begun', () => {
    const model = paidPack();
    const b = book(model, start, PAID);
    expect(refusal(() => model.checkNoShow(b.id, start - MINUTE))).toBe('BOOKING_NOT_CANCELLABLE');
    expect(model.checkNoShow(b.id, start + 10 * MINUTE).id).toBe(b.id);
    const requested = paidPack();
    const r = book(requested, start, PAID, false);
    expect(refusal(() => requested.checkNoShow(r.id, start + 10 * MINUTE))).toBe('BOOKING_NOT_CANCELLABLE');
  });

  test('an absence is reported within 7 days of the session’s end, not later', () => {
    const model = paidPack({ quantity: 2 });
    const b = book(model, start, PAID);
    const end = start + HOUR;
    passTime(model, end);
    expect(model.checkNoShow(b.id, end + 7 * DAY).status).toBe('HELD');
    expect(refusal(() => model.checkNoShow(b.id, end + 7 * DAY + 1))).toBe('BOOKING_NOT_CANCELLABLE');
  });

  test('a reported absence bills the session’s hours; the provider’s waiver gives them back', () => {
    const model = paidPack({ quantity: 2 });
    const b = book(model, start, PAID);
    passTime(model, start + 10 * MINUTE);
    model.takeEffects();
    expect(model.reportNoShow(b.id, start + 10 * MINUTE).status).toBe('NO_SHOW');
    expect(eventOf(model.takeEffects(), 'NO_SHOW').emails).toEqual([{ template: 'NO_SHOW', to: 'client' }]);
    expect(model.hours()).toMatchObject({ forfeited: 1, used: 0, available: 1 });
    // The session's end no longer makes it HELD: the absence stands.
    passTime(model, start + HOUR);
    expect(model.booking(b.id).status).toBe('NO_SHOW');

    expect(model.waive(b.id, start + DAY)).toMatchObject({ hoursReturned: 1, booking: { penaltyWaived: true } });
    expect(model.hours()).toMatchObject({ forfeited: 0, used: 0, available: 2 });
  });

  test('waiving a late cancellation returns its hours, and a USED_UP pack becomes ACTIVE again', () => {
    const model = paidPack({ code: 'PACK_HALF_DAY' });
    const b = book(model, paris('2027-01-20T09:00'), PAID);
    model.cancel(b.id, 'client', paris('2027-01-19T12:00'));
    expect(model.data.status).toBe('USED_UP');
    model.takeEffects();

    expect(model.waive(b.id, paris('2027-01-21T10:00'))).toMatchObject({ hoursReturned: 3 });
    const waived = eventOf(model.takeEffects(), 'PENALTY_WAIVED');
    expect(waived.emails).toEqual([{ template: 'PENALTY_WAIVED', to: 'client' }]);
    expect(model.data).toMatchObject({ status: 'ACTIVE', endedAtMs: null });
    expect(model.hours()).toEqual({ total: 3, used: 0, forfeited: 0, reserved: 0, available: 3 });
    expect(model.closesAtMs()).toBeNull();
    expect(timerKinds(model)).toContain('EXPIRY');
  });

  test('only a penalty that stands can be waived, and not once the pack is closed', () => {
    const model = paidPack({ quantity: 2 });
    const held = book(model, start, PAID);
    const late = book(model, start + DAY, PAID);
    passTime(model, start + HOUR);
    expect(refusal(() => model.checkWaive(held.id))).toBe('BOOKING_NOT_CANCELLABLE');
    model.cancel(late.id, 'client', start + HOUR);
    model.waive(late.id, start + 2 * HOUR);
    expect(refusal(() => model.checkWaive(late.id))).toBe('BOOKING_NOT_CANCELLABLE');

    const expired = paidPack({ quantity: 2 });
    const absent = book(expired, start, PAID);
    passTime(expired, start + 10 * MINUTE);
    expired.reportNoShow(absent.id, start + 10 * MINUTE);
    passTime(expired, EXPIRES);
    expect(expired.data.status).toBe('EXPIRED');
    expect(refusal(() => expired.checkWaive(absent.id))).toBe('PACK_NOT_ACTIVE');
  });
});

// ----------------------------------------------------------------------------------------------- expiry

describe('expiry', () => {
  test('while hours remain, the client is warned 14 days and 3 days before expiry', () => {
    const model = paidPack({ quantity: 2 });
    passTime(model, EXPIRES - 1);
    const warnings = events(model.takeEffects());
    expect(warnings.map((e) => [e.type, e.atMs])).toEqual([
      ['EXPIRY_WARNING', EXPIRES - 14 * DAY],
      ['EXPIRY_WARNING', EXPIRES - 3 * DAY],
    ]);
    expect(warnings[0].data).toEqual({ hoursLeft: 2, expiresAt: iso(EXPIRES) });
    expect(warnings[0].emails).toEqual([{ template: 'EXPIRY_WARNING', to: 'client' }]);
  });

  test('no warning when no hour is left to book', () => {
    const model = paidPack();
    book(model, EXPIRES - 2 * DAY, PAID); // reserved over both warnings
    model.takeEffects();
    passTime(model, EXPIRES - DAY);
    expect(eventTypes(model.takeEffects())).not.toContain('EXPIRY_WARNING');
  });

  test('at expiry the hours left are lost, the pack is EXPIRED and the workflow may complete', () => {
    const model = paidPack({ quantity: 2 });
    passTime(model, EXPIRES - 1);
    model.takeEffects();
    expect(passTime(model, EXPIRES)).toBe(true);
    const expired = eventOf(model.takeEffects(), 'PACK_EXPIRED');
    expect(expired.data).toEqual({ hoursLost: 2, hours: { total: 2, used: 0, forfeited: 2, reserved: 0, available: 0 } });
    expect(expired.emails.map((e) => e.template)).toEqual(['PACK_ENDED_EXPIRED', 'PROVIDER_PACK_ENDED']);
    expect(model.snapshot(EXPIRES)).toMatchObject({ status: 'EXPIRED', lostAtExpiry: 2, closedAt: iso(EXPIRES) });
  });
});

// ----------------------------------------------------------------------------------------------- withdrawal

describe('withdrawal', () => {
  // Ordered Monday 4 January 2027: the 14th day is Monday 18 January, the right lasts until its end.
  const UNTIL = paris('2027-01-19T00:00');

  test('within the period, withdrawal refunds every payment kept for the pack and closes it', () => {
    const model = order();
    const first = pay(model, PAID, { amountCents: 5_000 });
    const second = pay(model, PAID + DAY, { amountCents: 4_000 });
    model.takeEffects();
    expect(model.withdraw(PAID + 2 * DAY)).toEqual({ status: 'WITHDRAWN', refund: { method: 'card', amountCents: 9_000 } });
    const effects = model.takeEffects();
    expect(effects.filter((e) => e.kind === 'refund')).toEqual([
      {
        kind: 'refund',
        key: `withdrawal:${first.idempotencyKey}`,
        method: 'card',
        reference: first.reference,
        amountCents: 5_000,
        reason: 'WITHDRAWAL',
        dueAtMs: paris('2027-01-21T00:00'),
      },
      {
        kind: 'refund',
        key: `withdrawal:${second.idempotencyKey}`,
        method: 'card',
        reference: second.reference,
        amountCents: 4_000,
        reason: 'WITHDRAWAL',
        dueAtMs: paris('2027-01-21T00:00'),
      },
    ]);
    const withdrawn = eventOf(effects, 'WITHDRAWN');
    expect(withdrawn.data).toEqual({ refundCents: 9_000, refundMethod: 'card' });
    expect(withdrawn.emails.map((e) => e.template)).toEqual(['WITHDRAWN', 'PROVIDER_WITHDRAWN']);
    expect(model.snapshot(PAID + 2 * DAY)).toMatchObject({ status: 'WITHDRAWN', refund: { method: 'card', amountCents: 9_000 } });
  });

  test('a payment already refunded is not refunded again by the withdrawal', () => {
    const model = paidPack();
    pay(model, PAID + HOUR); // refunded as unexpected
    model.takeEffects();
    model.withdraw(PAID + DAY);
    expect(model.takeEffects().filter((e) => e.kind === 'refund')).toHaveLength(1);
  });

  test('withdrawal cancels the sessions ahead and their invites, and releases their calendar slots', () => {
    const model = paidPack({ quantity: 2 });
    const confirmed = book(model, paris('2027-01-20T10:00'), PAID);
    const requested = book(model, paris('2027-01-21T10:00'), PAID, false);
    model.takeEffects();
    model.withdraw(PAID + DAY);
    const effects = model.takeEffects();
    expect(effects.map((e) => (e.kind === 'event' ? e.event.type : e.kind))).toEqual([
      'releaseSlot',
      'BOOKING_CANCELLED',
      'releaseSlot',
      'BOOKING_CANCELLED',
      'refund',
      'WITHDRAWN',
    ]);
    expect(effects.filter((e) => e.kind === 'releaseSlot')).toEqual([
      { kind: 'releaseSlot', slotId: `${confirmed.id}:0` },
      { kind: 'releaseSlot', slotId: `${requested.id}:0` },
    ]);
    expect(eventOf(effects, 'BOOKING_CANCELLED').data).toMatchObject({ withdrawal: true, revision: 1, by: 'client' });
    expect(model.data.bookings.map((b) => b.status)).toEqual(['CANCELLED', 'CANCELLED']);
    expect(model.hours()).toMatchObject({ reserved: 0, used: 0, forfeited: 0 });
  });

  test('session reminders are gone after withdrawal: only the closing remains', () => {
    const model = paidPack();
    book(model, paris('2027-01-20T10:00'), PAID);
    expect(timerKinds(model)).toEqual(expect.arrayContaining(['SESSION_REMINDER', 'SESSION_START', 'SESSION_END']));
    model.withdraw(PAID + DAY);
    expect(model.timers()).toEqual([{ atMs: PAID + DAY + 30 * DAY, kind: 'CLOSE', key: 'close' }]);
    passTime(model, paris('2027-01-21T00:00'));
    expect(eventTypes(model.takeEffects())).not.toContain('SESSION_REMINDER');
  });

  test('a bank-transfer payment is refunded by transfer, by the end of the 14th day after the withdrawal (L221-24)', () => {
    const model = paidPack({ paymentMethod: 'bank_transfer' });
    // Withdrawn Tuesday 5 January 2027 at 12:00: due by the end of Tuesday 19 January.
    expect(model.withdraw(PAID + DAY).refund).toEqual({
      method: 'bank_transfer',
      amountCents: 9_000,
      dueAt: iso(paris('2027-01-20T00:00')),
    });
    expect(model.takeEffects().find((e) => e.kind === 'refund')).toMatchObject({ method: 'bank_transfer', reason: 'WITHDRAWAL' });
  });

  test('the right lasts until the end of the 14th day after the order; the state says so at that moment', () => {
    const model = paidPack();
    expect(model.snapshot(UNTIL - 1).withdrawal).toEqual({ allowed: true, until: iso(UNTIL) });
    expect(model.timers()[0]).toEqual({ atMs: UNTIL, kind: 'WITHDRAWAL_PERIOD_END', key: 'withdrawal-period-end' });
    passTime(model, UNTIL);
    expect(model.takeEffects()).toEqual([]);
    expect(model.snapshot(UNTIL).withdrawal).toEqual({ allowed: false, until: iso(UNTIL), reason: 'PERIOD_OVER' });
    expect(refusal(() => model.checkWithdraw(UNTIL))).toBe('WITHDRAWAL_NOT_ALLOWED');
  });

  test('a period ending on a weekend runs to the end of the next working day', () => {
    // Ordered Saturday 2 January 2027: the 14th day is Saturday 16 January, the right runs to Monday 18 January.
    const model = paidPack({ orderedAtMs: paris('2027-01-02T10:00') });
    expect(model.snapshot(paris('2027-01-18T23:59')).withdrawal).toEqual({ allowed: true, until: iso(UNTIL) });
  });

  test('withdrawal is refused once a session has begun, within the period', () => {
    const model = paidPack({ quantity: 2 });
    const start = paris('2027-01-06T10:00');
    book(model, start, PAID);
    expect(model.snapshot(start - 1).withdrawal.allowed).toBe(true);
    expect(model.snapshot(start).withdrawal).toMatchObject({ allowed: false, reason: 'SESSION_STARTED' });
    expect(refusal(() => model.withdraw(start + 10 * MINUTE))).toBe('WITHDRAWAL_NOT_ALLOWED');
    expect(model.data.status).toBe('ACTIVE');
  });

  test('a withdrawn order keeps listening 30 days, so a late payment is refunded, then closes', () => {
    const model = order();
    const at = ORDERED + DAY;
    model.withdraw(at);
    model.takeEffects();
    pay(model, at + DAY);
    expect(eventTypes(model.takeEffects())).toEqual(['UNEXPECTED_PAYMENT_REFUNDED']);
    expect(model.closesAtMs()).toBe(at + 30 * DAY);
    expect(passTime(model, at + 30 * DAY - 1)).toBe(false);
    expect(passTime(model, at + 30 * DAY)).toBe(true);
  });
});

// ----------------------------------------------------------------------------------------------- withdrawal recorded by the provider

describe('a withdrawal the client sent by email or letter, recorded by the provider', () => {
  // Ordered Monday 4 January 2027: the 14th day is Monday 18 January, the right lasts until its end.
  const UNTIL = paris('2027-01-19T00:00');

  test('a withdrawal received by letter on day 14 but recorded on day 16 is accepted, and refunded in full', () => {
    const model = paidPack();
    const received = paris('2027-01-18T11:00'); // day 14
    const recorded = paris('2027-01-20T09:00'); // day 16: the period is over by then
    expect(model.snapshot(recorded).withdrawal).toMatchObject({ allowed: false, reason: 'PERIOD_OVER' });

    expect(model.checkRecordedWithdrawal(iso(received), recorded)).toBe(received);
    expect(model.recordWithdrawal(iso(received), recorded)).toEqual({
      status: 'WITHDRAWN',
      refund: { method: 'card', amountCents: 9_000 },
    });
    const effects = model.takeEffects();
    expect(effects.find((e) => e.kind === 'refund')).toMatchObject({ amountCents: 9_000, reason: 'WITHDRAWAL' });
    const withdrawn = eventOf(effects, 'WITHDRAWN');
    expect(withdrawn).toMatchObject({ atMs: recorded });
    expect(withdrawn.data).toEqual({ refundCents: 9_000, refundMethod: 'card', receivedAt: iso(received), recordedBy: 'provider' });
    expect(model.data).toMatchObject({ status: 'WITHDRAWN', endedAtMs: recorded });
  });

  test('a statement received on day 15 is refused, the message saying the period had run out when it came', () => {
    const model = paidPack();
    const received = UNTIL; // the first instant of day 15
    const err = (() => {
      try {
        model.checkRecordedWithdrawal(iso(received), paris('2027-01-20T09:00'));
      } catch (e) {
        return e as PackRuleError;
      }
      throw new Error('expected a refusal');
    })();
    expect(err.code).toBe('WITHDRAWAL_NOT_ALLOWED');
    expect(err.message).toBe(
      "Le délai de rétractation était écoulé à la réception de la demande (mardi 19 janvier 2027 à 00h00) : il courait jusqu'au lundi 18 janvier 2027 inclus.",
    );
    expect(model.data.status).toBe('ACTIVE');
  });

  test('a session held after the statement was received does not count: the withdrawal stands, refunded in full', () => {
    const model = paidPack({ quantity: 2 });
    book(model, paris('2027-01-07T10:00'), PAID);
    passTime(model, paris('2027-01-08T09:00'));
    expect(model.data.bookings[0].status).toBe('HELD');
    // The letter arrived on 6 January, before the session; the provider opens it on the 8th.
    const out = model.recordWithdrawal(iso(paris('2027-01-06T09:00')), paris('2027-01-08T09:00'));
    expect(out.refund).toEqual({ method: 'card', amountCents: 18_000 });
  });

  test('a session begun before the statement was received refuses it (CGV as written), saying why', () => {
    const model = paidPack({ quantity: 2 });
    book(model, paris('2027-01-07T10:00'), PAID);
    passTime(model, paris('2027-01-08T09:00'));
    const refused = () => model.checkRecordedWithdrawal(iso(paris('2027-01-07T10:30')), paris('2027-01-08T09:00'));
    expect(refusal(refused)).toBe('WITHDRAWAL_NOT_ALLOWED');
    expect(() => refused()).toThrow(
      "Une séance avait déjà commencé à la réception de la demande (jeudi 7 janvier 2027 à 10h30) : selon les CGV, la rétractation n'est plus possible dès qu'une séance a débuté.",
    );
  });

  test('the received date is an ISO instant, never in the future, never before the order (VALIDATION_FAILED)', () => {
    const model = paidPack();
    const now = paris('2027-01-10T10:00');
    expect(refusal(() => model.checkRecordedWithdrawal('2027-01-08', now))).toBe('VALIDATION_FAILED');
    expect(refusal(() => model.checkRecordedWithdrawal(42, now))).toBe('VALIDATION_FAILED');
    expect(refusal(() => model.checkRecordedWithdrawal(iso(now + HOUR), now))).toBe('VALIDATION_FAILED');
    expect(refusal(() => model.checkRecordedWithdrawal(iso(ORDERED - MINUTE), now))).toBe('VALIDATION_FAILED');
    // A clock a few minutes ahead of the workflow's is taken as now.
    expect(model.checkRecordedWithdrawal(iso(now + MINUTE), now)).toBe(now);
    expect(model.takeEffects()).toEqual([]);
  });
});

// ----------------------------------------------------------------------------------------------- prorata

describe('WITHDRAWAL_AFTER_START=prorata (L221-25): the hours not consumed are refunded', () => {
  const prorata = { settings: { withdrawalAfterStart: 'prorata' as const } };

  test('the default is the CGV as written: no withdrawal once a session has started; a pack sold before the setting too', () => {
    expect(DEFAULT_SETTINGS.withdrawalAfterStart).toBe('refused');
    const before = paidPack({ quantity: 2, settings: { withdrawalAfterStart: undefined } });
    book(before, paris('2027-01-06T10:00'), PAID);
    passTime(before, paris('2027-01-06T10:30'));
    expect(before.snapshot(paris('2027-01-06T10:30')).withdrawal).toMatchObject({ allowed: false, reason: 'SESSION_STARTED' });
  });

  test('10 hours at 90 € with 2 held, 1 cancelled late, 1 missed (and 1 missed but waived): 6 hours, 54 000 cents, refunded', () => {
    const model = paidPack({ quantity: 10, ...prorata });
    expect(model.input.priceCents).toBe(90_000);
    const [held1, held2, late, missed, waived, freed] = [
      '2027-01-06T10:00',
      '2027-01-07T10:00',
      '2027-01-08T10:00',
      '2027-01-11T10:00',
      '2027-01-12T10:00',
      '2027-01-13T10:00',
    ].map((t) => book(model, paris(t), PAID));
    const ahead = book(model, paris('2027-01-15T10:00'), PAID);
    passTime(model, paris('2027-01-08T09:00'));
    expect(model.cancel(late.id, 'client', paris('2027-01-08T09:00')).penalty).toBe(true);
    expect(model.cancel(freed.id, 'client', paris('2027-01-10T12:00')).penalty).toBe(false);
    passTime(model, paris('2027-01-11T10:30'));
    model.reportNoShow(missed.id, paris('2027-01-11T10:30'));
    passTime(model, paris('2027-01-12T10:30'));
    model.reportNoShow(waived.id, paris('2027-01-12T10:30'));
    model.waive(waived.id, paris('2027-01-12T11:00'));
    const now = paris('2027-01-14T12:00');
    passTime(model, now);
    expect([held1, held2].map((b) => model.booking(b.id).status)).toEqual(['HELD', 'HELD']);
    expect(model.snapshot(now).withdrawal).toEqual({ allowed: true, until: iso(paris('2027-01-19T00:00')), consumedHours: 4 });
    model.takeEffects();

    expect(model.withdraw(now)).toEqual({ status: 'WITHDRAWN', refund: { method: 'card', amountCents: 54_000, consumedHours: 4 } });
    const effects = model.takeEffects();
    expect(effects.filter((e) => e.kind === 'refund').map((e) => (e.kind === 'refund' ? e.amountCents : 0))).toEqual([6 * 9_000]);
    expect(eventOf(effects, 'WITHDRAWN').data).toMatchObject({ refundCents: 54_000, consumedHours: 4, hourlyCents: 9_000 });
    // The session ahead is cancelled, not consumed.
    expect(model.booking(ahead.id).status).toBe('CANCELLED');
  });

  test('the consumed share is kept from the first payments; the rest of each is refunded by its own method', () => {
    const model = order({ quantity: 10, paymentMethod: 'bank_transfer', ...prorata });
    const first = pay(model, PAID, { amountCents: 50_000 });
    const second = pay(model, PAID + HOUR, { amountCents: 40_000 });
    for (const day of ['05', '06', '07', '08']) book(model, paris(`2027-01-${day}T10:00`), PAID + HOUR);
    const now = paris('2027-01-08T12:00');
    passTime(model, now);
    model.takeEffects();
    expect(model.withdraw(now).refund).toEqual({
      method: 'bank_transfer',
      amountCents: 54_000,
      consumedHours: 4,
      dueAt: iso(paris('2027-01-23T00:00')),
    });
    expect(model.takeEffects().filter((e) => e.kind === 'refund')).toEqual([
      expect.objectContaining({ key: `withdrawal:${first.idempotencyKey}`, amountCents: 50_000 - 36_000 }),
      expect.objectContaining({ key: `withdrawal:${second.idempotencyKey}`, amountCents: 40_000 }),
    ]);
  });

  test('the hours counted are those consumed when the statement was received, not a session held after it', () => {
    const model = paidPack({ quantity: 3, ...prorata });
    book(model, paris('2027-01-06T10:00'), PAID);
    book(model, paris('2027-01-07T10:00'), PAID);
    passTime(model, paris('2027-01-08T09:00'));
    expect(model.recordWithdrawal(iso(paris('2027-01-06T18:00')), paris('2027-01-08T09:00')).refund).toEqual({
      method: 'card',
      amountCents: 2 * 9_000,
      consumedHours: 1,
    });
  });

  test('a pack whose hours were all consumed is fully performed: no withdrawal (L221-28 1°)', () => {
    const model = paidPack({ code: 'PACK_HALF_DAY', ...prorata });
    book(model, paris('2027-01-06T09:00'), PAID);
    const during = paris('2027-01-06T10:00'); // the half-day is under way: the pack is still ACTIVE
    passTime(model, during);
    expect(model.data.status).toBe('ACTIVE');
    expect(model.snapshot(during).withdrawal).toMatchObject({ allowed: false, reason: 'SESSION_STARTED', consumedHours: 3 });
    expect(() => model.checkWithdraw(during)).toThrow(/entièrement exécutée.*L221-28 1°/);
  });

  test('after the period, prorata or not, the withdrawal is refused: PERIOD_OVER', () => {
    const model = paidPack({ quantity: 2, ...prorata });
    book(model, paris('2027-01-06T10:00'), PAID);
    passTime(model, paris('2027-01-19T00:00'));
    expect(model.snapshot(paris('2027-01-19T00:00')).withdrawal).toMatchObject({ allowed: false, reason: 'PERIOD_OVER' });
  });
});

// ----------------------------------------------------------------------------------------------- refunds owed by transfer

describe('a refund owed by bank transfer: due 14 days after the withdrawal, reminded 3 days before', () => {
  /** A bank-transfer pack withdrawn at `atMs`, its refund handed to the provider as a task (the activity's answer). */
  function withdrawnByTransfer(atMs: number, o: Order = {}, gate?: () => boolean) {
    const model = gate
      ? new PackModel(inputOf({ paymentMethod: 'bank_transfer', ...o }), initialData(), gate)
      : order({ paymentMethod: 'bank_transfer', ...o });
    pay(model, PAID);
    model.withdraw(atMs);
    const refund = model.takeEffects().find((e) => e.kind === 'refund');
    if (refund?.kind !== 'refund') throw new Error('expected a refund');
    model.refundRecorded(refund, { status: 'PROVIDER_TASK' }, atMs + MINUTE);
    return { model, refund };
  }
  // Withdrawn Tuesday 5 January 2027 at 12:00: due by the end of Tuesday 19 January, reminded on Sunday 17 at 00:00.
  const WITHDRAWN_AT = paris('2027-01-05T12:00');
  const DUE = paris('2027-01-20T00:00');
  const REMIND = paris('2027-01-17T00:00');

  test('the task is due by the end of the 14th day after the withdrawal; the provider is told when it is created', () => {
    const { model, refund } = withdrawnByTransfer(WITHDRAWN_AT);
    expect(refund.dueAtMs).toBe(DUE);
    const task = eventOf(model.takeEffects(), 'REFUND_TASK_CREATED');
    expect(task.data).toMatchObject({ key: refund.key, amountCents: 9_000, dueAt: iso(DUE) });
    expect(task.emails).toEqual([{ template: 'PROVIDER_REFUND_TASK', to: 'provider' }]);
    expect(model.snapshot(WITHDRAWN_AT).refundsDue).toEqual([
      { key: refund.key, amountCents: 9_000, reason: 'WITHDRAWAL', dueAt: iso(DUE), remindAt: iso(REMIND), paidAt: null },
    ]);
  });

  test('a refund due in 3 days is reminded once, to the provider', () => {
    const { model, refund } = withdrawnByTransfer(WITHDRAWN_AT);
    model.takeEffects();
    expect(model.timers().find((t) => t.kind === 'REFUND_REMINDER')).toEqual({
      atMs: REMIND,
      kind: 'REFUND_REMINDER',
      key: `refund-reminder:${refund.key}`,
    });
    passTime(model, REMIND - 1);
    expect(eventTypes(model.takeEffects())).toEqual([]);
    passTime(model, REMIND);
    const reminder = eventOf(model.takeEffects(), 'REFUND_REMINDER');
    expect(reminder).toMatchObject({ atMs: REMIND, data: { key: refund.key, amountCents: 9_000, dueAt: iso(DUE) } });
    expect(reminder.emails).toEqual([{ template: 'PROVIDER_REFUND_REMINDER', to: 'provider' }]);
    passTime(model, DUE + 10 * DAY);
    expect(eventTypes(model.takeEffects())).toEqual([]);
  });

  test('a refund marked paid is not reminded; marking it again changes nothing', () => {
    const { model, refund } = withdrawnByTransfer(WITHDRAWN_AT);
    model.takeEffects();
    expect(model.refundPaid(refund.key, paris('2027-01-10T15:00'))).toBe(true);
    expect(eventOf(model.takeEffects(), 'REFUND_PAID').data).toMatchObject({ key: refund.key, amountCents: 9_000 });
    expect(model.refundPaid(refund.key, paris('2027-01-11T15:00'))).toBe(false);
    expect(model.refundPaid('withdrawal:unknown', paris('2027-01-11T15:00'))).toBe(false);
    expect(timerKinds(model)).not.toContain('REFUND_REMINDER');
    passTime(model, DUE);
    expect(model.takeEffects()).toEqual([]);
    expect(model.snapshot(DUE).refundsDue[0].paidAt).toBe(iso(paris('2027-01-10T15:00')));
  });

  test('the workflow stays open until the reminder has gone out, even with a shorter linger', () => {
    const { model } = withdrawnByTransfer(WITHDRAWN_AT, { settings: { closedLingerMs: DAY } });
    expect(model.closesAtMs()).toBe(REMIND);
    expect(passTime(model, REMIND)).toBe(true);
    expect(eventTypes(model.takeEffects())).toContain('REFUND_REMINDER');
  });

  test('a pack whose history recorded the task before due dates keeps no reminder (its replay is unchanged)', () => {
    const { model } = withdrawnByTransfer(WITHDRAWN_AT, {}, () => false);
    expect(eventOf(model.takeEffects(), 'REFUND_TASK_CREATED').data).not.toHaveProperty('dueAt');
    expect(model.data.refundsDue).toBeUndefined();
    expect(timerKinds(model)).toEqual(['CLOSE']);
  });
});

// ----------------------------------------------------------------------------------------------- dated transfers

describe('a transfer dated as the bank dates it', () => {
  const DAY_6 = paris('2027-01-10T00:00');
  const DAY_8 = paris('2027-01-12T15:00');

  test('dated day 6 but recorded day 8, after the cancellation: the order is revived and valid from day 6', () => {
    const model = order({ paymentMethod: 'bank_transfer' });
    passTime(model, DAY_8);
    expect(model.data.status).toBe('CANCELLED_UNPAID');
    model.takeEffects();
    pay(model, DAY_8, { paidAt: iso(DAY_6) });
    const effects = model.takeEffects();
    expect(eventTypes(effects)).toEqual(['ORDER_REVIVED', 'PAYMENT_CONFIRMED']);
    expect(eventOf(effects, 'PAYMENT_CONFIRMED').data).toMatchObject({
      paidAt: iso(DAY_6),
      expiresAt: iso(paris('2027-04-10T00:00')),
      revived: true,
    });
    expect(model.snapshot(DAY_8)).toMatchObject({ status: 'ACTIVE', paidAt: iso(DAY_6), paidCents: 9_000, closedAt: null });
    expect(model.data.payments.map((p) => p.outcome)).toEqual(['ACCEPTED']);
    expect(model.closesAtMs()).toBeNull();
  });

  test('dated after the deadline, or too little, it is handed back as before and the order stays cancelled', () => {
    const late = order({ paymentMethod: 'bank_transfer' });
    passTime(late, DAY_8);
    pay(late, DAY_8, { paidAt: iso(ORDERED + 7 * DAY) });
    expect(late.data.status).toBe('CANCELLED_UNPAID');
    expect(late.data.payments.map((p) => p.outcome)).toEqual(['FLAGGED']);

    const short = order({ paymentMethod: 'bank_transfer' });
    passTime(short, DAY_8);
    pay(short, DAY_8, { paidAt: iso(DAY_6), amountCents: 5_000 });
    expect(short.data.status).toBe('CANCELLED_UNPAID');
    expect(short.data.payments.map((p) => p.outcome)).toEqual(['FLAGGED']);
  });

  test('a pack whose history took such a payment as a late one keeps doing so (its replay is unchanged)', () => {
    const model = new PackModel(inputOf({ paymentMethod: 'bank_transfer' }), initialData(), () => false);
    passTime(model, DAY_8);
    pay(model, DAY_8, { paidAt: iso(DAY_6) });
    expect(model.data.status).toBe('CANCELLED_UNPAID');
  });
});

// ----------------------------------------------------------------------------------------------- provider's refunds

/** Carries out the refunds among `effects` as Stripe would (or as provider tasks for transfers); returns what follows. */
function refundsMade(model: PackModel, effects: Effect[], nowMs: number): Effect[] {
  for (const e of effects)
    if (e.kind === 'refund')
      model.refundRecorded(
        e,
        e.method === 'card' ? { status: 'REFUNDED', stripeRefundId: `re_${e.key}` } : { status: 'PROVIDER_TASK' },
        nowMs,
      );
  return model.takeEffects();
}
const refundsIn = (effects: Effect[]) => effects.flatMap((e) => (e.kind === 'refund' ? [e] : []));
const creditNotesIn = (effects: Effect[]) =>
  effects.flatMap((e) => (e.kind === 'document' && e.request.kind === 'credit_note' ? [e.request] : []));

describe('the provider’s own refunds: a commercial gesture (with its credit note) or a surplus (without)', () => {
  const LATER = paris('2027-01-10T09:00');

  test('a gesture on a card pack is refunded on the card, told to the client, and credited on the invoice for its amount', () => {
    const model = paidPack({ quantity: 2 });
    expect(model.snapshot(LATER).refundable).toEqual({ goodwillCents: 18_000, surplusCents: 0 });
    const answer = model.grantRefund({ amountCents: 3_000, reason: 'GOODWILL', note: 'Séance écourtée' }, LATER);
    expect(answer).toEqual({ refund: { reason: 'GOODWILL', amountCents: 3_000, method: 'card' } });
    const effects = model.takeEffects();
    expect(refundsIn(effects)).toEqual([
      expect.objectContaining({ key: 'goodwill:1:payment-' + String(keys), reason: 'GOODWILL', amountCents: 3_000, method: 'card' }),
    ]);
    expect(eventOf(effects, 'REFUND_GRANTED')).toMatchObject({
      data: { n: 1, reason: 'GOODWILL', amountCents: 3_000, refundMethod: 'card', note: 'Séance écourtée' },
      emails: [{ template: 'REFUND_GRANTED', to: 'client' }],
    });
    const after = refundsMade(model, effects, LATER);
    expect(creditNotesIn(after)).toEqual([
      expect.objectContaining({ kind: 'credit_note', amountCents: 3_000, reason: 'Geste commercial', corrects: 'invoice:pack-under-test' }),
    ]);
    expect(model.snapshot(LATER)).toMatchObject({
      refundable: { goodwillCents: 15_000, surplusCents: 0 },
      providerRefunds: [{ n: 1, reason: 'GOODWILL', amountCents: 3_000, note: 'Séance écourtée' }],
      hours: { total: 2, available: 2 },
      status: 'ACTIVE',
    });
  });

  test('gestures never give back more than the price; a surplus never more than what was received beyond it', () => {
    const model = paidPack();
    expect(refusal(() => model.checkProviderRefund({ amountCents: 9_001, reason: 'GOODWILL' }))).toBe('VALIDATION_FAILED');
    expect(refusal(() => model.checkProviderRefund({ amountCents: 1, reason: 'SURPLUS' }))).toBe('VALIDATION_FAILED');
    expect(refusal(() => model.checkProviderRefund({ amountCents: 0, reason: 'GOODWILL' }))).toBe('VALIDATION_FAILED');
    expect(refusal(() => model.checkProviderRefund({ amountCents: 100, reason: 'GIFT' }))).toBe('VALIDATION_FAILED');
    model.grantRefund({ amountCents: 6_000, reason: 'GOODWILL' }, LATER);
    expect(refusal(() => model.checkProviderRefund({ amountCents: 3_001, reason: 'GOODWILL' }))).toBe('VALIDATION_FAILED');
    expect(model.checkProviderRefund({ amountCents: 3_000, reason: 'GOODWILL' })).toEqual({ amountCents: 3_000, reason: 'GOODWILL' });
  });

  test('an unpaid or withdrawn pack has nothing to give back of this kind', () => {
    expect(refusal(() => order().checkProviderRefund({ amountCents: 100, reason: 'GOODWILL' }))).toBe('PACK_NOT_ACTIVE');
    const withdrawn = paidPack();
    withdrawn.withdraw(LATER);
    expect(refusal(() => withdrawn.checkProviderRefund({ amountCents: 100, reason: 'GOODWILL' }))).toBe('PACK_NOT_ACTIVE');
    expect(withdrawn.snapshot(LATER).refundable).toEqual({ goodwillCents: 0, surplusCents: 0 });
  });

  test('a transfer’s surplus is refunded by transfer, due at the end of the 14th day, with no credit note: no invoice covers it', () => {
    const model = order({ paymentMethod: 'bank_transfer' });
    pay(model, PAID, { amountCents: 10_000 });
    model.takeEffects();
    expect(model.snapshot(LATER).refundable).toEqual({ goodwillCents: 9_000, surplusCents: 1_000 });
    model.grantRefund({ amountCents: 1_000, reason: 'SURPLUS' }, LATER);
    const effects = model.takeEffects();
    expect(refundsIn(effects)).toEqual([
      expect.objectContaining({
        reason: 'SURPLUS',
        amountCents: 1_000,
        method: 'bank_transfer',
        dueAtMs: refundDueOf(LATER, DEFAULT_SETTINGS).dueAtMs,
      }),
    ]);
    const after = refundsMade(model, effects, LATER);
    expect(creditNotesIn(after)).toEqual([]);
    expect(model.snapshot(LATER).refundsDue).toEqual([expect.objectContaining({ reason: 'SURPLUS', amountCents: 1_000, paidAt: null })]);
    expect(model.snapshot(LATER).refundable).toEqual({ goodwillCents: 9_000, surplusCents: 0 });
  });

  test('a withdrawal after a gesture refunds the rest only, and its credit note takes the invoice to zero, never below', () => {
    const model = paidPack();
    refundsMade(model, (model.grantRefund({ amountCents: 2_000, reason: 'GOODWILL' }, LATER), model.takeEffects()), LATER);
    const { refund } = model.withdraw(LATER + HOUR);
    expect(refund).toMatchObject({ method: 'card', amountCents: 7_000 });
    const effects = model.takeEffects();
    expect(refundsIn(effects).map((r) => r.amountCents)).toEqual([7_000]);
    expect(creditNotesIn(refundsMade(model, effects, LATER + HOUR)).map((c) => c.amountCents)).toEqual([7_000]);
  });

  test('a withdrawal that also refunds a surplus credits the invoice for its price only', () => {
    const model = order({ paymentMethod: 'bank_transfer' });
    pay(model, PAID, { amountCents: 10_000 });
    model.takeEffects();
    model.withdraw(LATER);
    const effects = model.takeEffects();
    expect(refundsIn(effects).map((r) => r.amountCents)).toEqual([10_000]);
    expect(creditNotesIn(refundsMade(model, effects, LATER)).map((c) => c.amountCents)).toEqual([9_000]);
  });
});

// ----------------------------------------------------------------------------------------------- carried state

describe('the state carried across continue-as-new', () => {
  test('a model rebuilt from its JSON data has the same state and the same timers', () => {
    const model = paidPack({ quantity: 3 });
    const a = book(model, paris('2027-01-20T10:00'), PAID);
    book(model, paris('2027-01-21T10:00'), PAID, false);
    passTime(model, paris('2027-01-19T11:00'));
    const now = paris('2027-01-19T12:00');
    model.cancel(a.id, 'client', now);

    const rebuilt = new PackModel(model.input, JSON.parse(JSON.stringify(model.data)) as typeof model.data);
    expect(rebuilt.snapshot(now)).toEqual(model.snapshot(now));
    expect(rebuilt.timers()).toEqual(model.timers());
  });

  test('event keys go on rising in the next run, so no event is recorded twice', () => {
    const model = paidPack();
    const carried = JSON.parse(JSON.stringify(model.data)) as typeof model.data;
    const next = new PackModel(model.input, carried);
    book(next, paris('2027-01-20T10:00'), PAID);
    const [event] = events(next.takeEffects());
    expect(event).toMatchObject({ seq: 3, key: '3:BOOKING_CONFIRMED' });
  });
});
