/**
 * The rules of issue 13 (points 4 and 5) that live outside the pack model: what « consumed » means and what a
 * `prorata` withdrawal refunds (src/shared/policy.ts), when a refund owed by transfer is due and reminded, how a date
 * the provider enters becomes an instant, the WITHDRAWAL_AFTER_START setting, and the French emails they send.
 */
import { DateTime } from 'luxon';
import { renderEmail, type MailContext } from '../../src/activities/emails/templates';
import { ConfigError } from '../../src/infra/config';
import { loadPackSettings } from '../../src/infra/settings';
import { HOUR } from '../support/time';
import {
  consumedHoursAt,
  receivedInstant,
  refundDueOf,
  withdrawalEligibility,
  withdrawalRefundCents,
  DEFAULT_SETTINGS,
  type ConsumptionBooking,
} from '../../src/shared/policy';

const paris = (local: string) => DateTime.fromISO(local, { zone: 'Europe/Paris' }).toMillis();

describe('consumed hours (L221-25: the service provided until the withdrawal was communicated)', () => {
  const at = paris('2027-01-14T12:00');
  const b = (o: Partial<ConsumptionBooking> & Pick<ConsumptionBooking, 'status'>): ConsumptionBooking => ({
    startMs: at - 24 * HOUR,
    hours: 1,
    penaltyWaived: false,
    ...o,
  });

  test.each([
    ['a held session', b({ status: 'HELD' }), 1],
    ['a session under way', b({ status: 'CONFIRMED', startMs: at - HOUR / 2 }), 1],
    ['a session missed by the client', b({ status: 'NO_SHOW' }), 1],
    ['a session cancelled late (billed)', b({ status: 'LATE_CANCELLED', startMs: at + HOUR, billedAtMs: at - HOUR }), 1],
    ['a half-day held', b({ status: 'HELD', hours: 3 }), 3],
  ])('%s is consumed', (_what, booking, hours) => {
    expect(consumedHoursAt([booking], at)).toBe(hours);
  });

  test.each([
    ['a session ahead', b({ status: 'CONFIRMED', startMs: at + HOUR })],
    ['a request', b({ status: 'REQUESTED', startMs: at + HOUR })],
    ['a session cancelled in time', b({ status: 'CANCELLED' })],
    ['a declined request', b({ status: 'DECLINED' })],
    ['an absence whose penalty was waived', b({ status: 'NO_SHOW', penaltyWaived: true })],
    ['a late cancellation whose penalty was waived', b({ status: 'LATE_CANCELLED', penaltyWaived: true, billedAtMs: at - HOUR })],
    ['a session held after the statement was received', b({ status: 'HELD', startMs: at + HOUR })],
    [
      'a late cancellation made after the statement was received',
      b({ status: 'LATE_CANCELLED', startMs: at + 2 * HOUR, billedAtMs: at + HOUR }),
    ],
  ])('%s is not consumed', (_what, booking) => {
    expect(consumedHoursAt([booking], at)).toBe(0);
  });
});

describe('what a withdrawal refunds', () => {
  test('prorata refunds exactly the unconsumed hours at the hourly price, in cents', () => {
    for (let consumed = 0; consumed <= 10; consumed++) {
      expect(withdrawalRefundCents({ priceCents: 90_000, totalHours: 10, keptCents: 90_000, consumedHours: consumed })).toBe(
        (10 - consumed) * 9_000,
      );
    }
  });

  test('a surplus kept for the pack is refunded too; the share kept is rounded down, in the client’s favour', () => {
    expect(withdrawalRefundCents({ priceCents: 90_000, totalHours: 10, keptCents: 95_000, consumedHours: 4 })).toBe(59_000);
    // 100 € for 3 hours, one consumed: 33,33 € kept, 66,67 € back.
    expect(withdrawalRefundCents({ priceCents: 10_000, totalHours: 3, keptCents: 10_000, consumedHours: 1 })).toBe(6_667);
  });

  test('before any session, the whole of what was kept (a partial payment too)', () => {
    expect(withdrawalRefundCents({ priceCents: 90_000, totalHours: 10, keptCents: 30_000, consumedHours: 0 })).toBe(30_000);
  });

  test('under `refused`, a late cancellation alone does not stop the withdrawal nor reduce it (the CGV as written)', () => {
    const ordered = paris('2027-01-04T10:00');
    const bookings = [{ status: 'LATE_CANCELLED' as const, startMs: ordered + 48 * HOUR, hours: 1, penaltyWaived: false }];
    const now = ordered + 72 * HOUR;
    expect(withdrawalEligibility({ status: 'ACTIVE', orderedAtMs: ordered, nowMs: now, bookings, settings: DEFAULT_SETTINGS })).toEqual(
      expect.objectContaining({ allowed: true }),
    );
    expect(
      withdrawalEligibility({
        status: 'ACTIVE',
        orderedAtMs: ordered,
        nowMs: now,
        bookings,
        settings: { ...DEFAULT_SETTINGS, withdrawalAfterStart: 'prorata' },
        totalHours: 2,
      }),
    ).toMatchObject({ allowed: true, consumedHours: 1 });
  });
});

describe('a refund owed by transfer is due 14 days after it is owed (L221-24), reminded 3 days before', () => {
  test('statement received on Monday 18 January 2027: due by the end of Monday 1 February, reminded on Friday 29 January', () => {
    expect(refundDueOf(paris('2027-01-18T16:45'), DEFAULT_SETTINGS)).toEqual({
      dueAtMs: paris('2027-02-02T00:00'),
      remindAtMs: paris('2027-01-30T00:00'),
    });
  });

  test('across the March clock change, the days are calendar days in Paris', () => {
    expect(refundDueOf(paris('2027-03-20T10:00'), DEFAULT_SETTINGS)).toEqual({
      dueAtMs: paris('2027-04-04T00:00'),
      remindAtMs: paris('2027-04-01T00:00'),
    });
  });
});

describe('a date the provider enters (transfer on the bank statement, a withdrawal letter)', () => {
  const orderedAtMs = paris('2027-01-04T10:00');
  const nowMs = paris('2027-01-12T15:00');
  const at = (v: string) => receivedInstant(v, { orderedAtMs, nowMs, timezone: 'Europe/Paris' });

  test('a date is the start of that day in Paris, so it meets any deadline falling on it', () => {
    expect(at('2027-01-10')).toEqual({ ok: true, ms: paris('2027-01-10T00:00') });
  });

  test('the day of the order means after the order; today is allowed', () => {
    expect(at('2027-01-04')).toEqual({ ok: true, ms: orderedAtMs });
    expect(at('2027-01-12')).toEqual({ ok: true, ms: paris('2027-01-12T00:00') });
  });

  test('an ISO instant with its offset is that instant', () => {
    expect(at('2027-01-10T09:30:00+01:00')).toEqual({ ok: true, ms: paris('2027-01-10T09:30') });
  });

  test('never in the future, never before the order, never malformed', () => {
    expect(at('2027-01-13')).toEqual({ ok: false, refusal: 'FUTURE' });
    expect(at('2027-01-12T15:01:00+01:00')).toEqual({ ok: false, refusal: 'FUTURE' });
    expect(at('2027-01-03')).toEqual({ ok: false, refusal: 'BEFORE_ORDER' });
    expect(at('2027-01-04T09:59:00+01:00')).toEqual({ ok: false, refusal: 'BEFORE_ORDER' });
    for (const bad of ['2027-02-30', '10/01/2027', '2027-01-10T09:30', 'hier']) expect(at(bad)).toEqual({ ok: false, refusal: 'INVALID' });
  });
});

describe('WITHDRAWAL_AFTER_START', () => {
  test('defaults to refused (the CGV as written); prorata is the law’s reading', () => {
    expect(loadPackSettings({}).withdrawalAfterStart).toBe('refused');
    expect(loadPackSettings({ WITHDRAWAL_AFTER_START: 'prorata' }).withdrawalAfterStart).toBe('prorata');
    expect(loadPackSettings({ WITHDRAWAL_AFTER_START: 'refused' }).withdrawalAfterStart).toBe('refused');
  });

  test('any other value is one clear message at start-up', () => {
    expect(() => loadPackSettings({ WITHDRAWAL_AFTER_START: 'partial' })).toThrow(ConfigError);
    expect(() => loadPackSettings({ WITHDRAWAL_AFTER_START: 'partial' })).toThrow('WITHDRAWAL_AFTER_START must be refused or prorata');
  });
});

describe('the emails', () => {
  const ctx = (template: MailContext['template'], data: Record<string, unknown>, type = 'WITHDRAWN'): MailContext => ({
    template,
    event: { type, atMs: paris('2027-01-20T09:00'), data },
    pack: {
      id: 'p',
      label: 'Pack 1 heure',
      totalHours: 10,
      priceCents: 90_000,
      paymentMethod: 'bank_transfer',
      bankReference: 'IMG-ABCDEFGH',
      paymentDeadline: new Date(paris('2027-01-11T10:00')),
      expiresAt: null,
      hoursAvailable: 0,
    },
    customer: { name: 'Camille Martin', email: 'camille@example.org' },
    settings: {
      publicUrl: 'https://www.imaginasite.com',
      zoomUrl: 'https://zoom.us/j/1',
      timezone: 'Europe/Paris',
      bank: { iban: 'FR76', bic: 'AGRIFRPPXXX', holder: 'imaginasite' },
    },
    portalUrl: 'https://www.imaginasite.com/espace?token=t',
  });

  test('the client’s withdrawal email gives the received date, the consumed hours and the refund’s last day', () => {
    const m = renderEmail(
      ctx('WITHDRAWN', {
        refundCents: 54_000,
        refundMethod: 'bank_transfer',
        receivedAt: new Date(paris('2027-01-18T11:00')).toISOString(),
        recordedBy: 'provider',
        consumedHours: 4,
        refundDueAt: new Date(paris('2027-02-02T00:00')).toISOString(),
      }),
    );
    expect(m.text).toContain('reçue le lundi 18 janvier 2027 à 11h00, est enregistrée');
    expect(m.text).toContain('absences) : 4 sur 10');
    expect(m.text).toContain('L221-25');
    expect(m.text).toContain('Vous serez remboursé(e) de 540,00 € par virement, au plus tard le lundi 1 février 2027.');
  });

  test('the provider’s reminder names the amount, the client and the last day', () => {
    const m = renderEmail(
      ctx(
        'PROVIDER_REFUND_REMINDER',
        { key: 'withdrawal:k', amountCents: 54_000, reason: 'WITHDRAWAL', dueAt: new Date(paris('2027-02-02T00:00')).toISOString() },
        'REFUND_REMINDER',
      ),
    );
    expect(m.subject).toBe('Rappel : remboursement de 540,00 € à faire avant le lundi 1 février 2027');
    expect(m.text).toContain(
      'à Camille Martin (rétractation, référence IMG-ABCDEFGH) est à faire au plus tard le lundi 1 février 2027, dans 3 jours',
    );
    expect(m.text).toContain('https://www.imaginasite.com/admin/packs/p');
  });

  test('a revived order’s payment email says the cancellation is lifted', () => {
    const data = { amountCents: 90_000, paidAt: new Date(paris('2027-01-10T00:00')).toISOString(), revived: true };
    expect(renderEmail(ctx('PAYMENT_CONFIRMED', data, 'PAYMENT_CONFIRMED')).text).toContain(
      "Votre paiement nous est parvenu le dimanche 10 janvier 2027, avant l'échéance : l'annulation de votre commande est levée.",
    );
    expect(renderEmail(ctx('PROVIDER_PAYMENT_CONFIRMED', data, 'PAYMENT_CONFIRMED')).text).toContain(
      'la commande annulée faute de paiement est rétablie',
    );
  });
});
