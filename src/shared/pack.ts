/**
 * The pack workflow's contract: its input, its messages (defined once, used by the gateway and the workflow) and
 * the plain-JSON state it answers queries with. No personal data travels here: names, emails and phones stay in
 * PostgreSQL, where activities read them.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { PackCode } from './catalog';
import type { BookingStatus, Hours, PackSettings, PackStatus, WithdrawalEligibility } from './policy';

export type PaymentMethod = 'card' | 'bank_transfer';
export type Actor = 'client' | 'provider' | 'system';

export const packWorkflowId = (orderId: string) => `pack-${orderId}`;

export interface PackInput {
  /** The order's id; the pack's id in the API. */
  packId: string;
  packCode: PackCode;
  quantity: number;
  totalHours: number;
  sessionHours: number;
  breakMinutes: number;
  priceCents: number;
  currency: 'EUR';
  paymentMethod: PaymentMethod;
  /** When the order was placed (epoch ms): starts the payment deadline and the withdrawal period. */
  orderedAtMs: number;
  settings: PackSettings;
}

export interface PaymentSignal {
  method: PaymentMethod;
  amountCents: number;
  /** Stripe PaymentIntent id, or the bank transfer's reference. */
  reference: string;
  /**
   * When the money was received (ISO) — for a bank transfer, the day the bank credited it, as the provider enters it:
   * the payment deadline and the validity are judged on it. Later than the workflow's clock is taken as now.
   */
  paidAt: string;
  /** One payment, one key: the Stripe event's payment intent, the provider's entry id… Duplicates are ignored. */
  idempotencyKey: string;
}

export interface BookingView {
  id: string;
  start: string;
  end: string;
  hours: number;
  status: BookingStatus;
  penaltyWaived: boolean;
  /**
   * Bumped each time the session moves, is cancelled or billed: it names the calendar reservation of each range the
   * session held (`<id>:<revision>`) and the workflow's timers, so it never changes for anything else.
   */
  revision: number;
  /**
   * The iCalendar SEQUENCE of the session's invite, bumped on every change the invite must reflect (a move, the
   * provider's confirmation of a request, a cancellation). Absent in states from before it: `revision` stands in.
   */
  sequence?: number;
  history: Array<{ at: string; status: BookingStatus | 'RESCHEDULED' | 'PENALTY_WAIVED'; by: Actor; note?: string }>;
}

export interface PaymentView {
  method: PaymentMethod;
  amountCents: number;
  reference: string;
  paidAt: string;
  idempotencyKey: string;
  outcome: 'ACCEPTED' | 'PARTIAL' | 'SURPLUS' | 'REFUNDED' | 'FLAGGED';
}

/** What a withdrawal gives back: by the payment's method; by transfer, before `dueAt` (L221-24). */
export interface WithdrawalRefund {
  method: PaymentMethod;
  amountCents: number;
  /** Bank transfer: the refund is due before this instant (exclusive), 14 days after the statement was received. */
  dueAt?: string;
  /** `prorata`: the hours consumed when the client withdrew, not refunded. */
  consumedHours?: number;
}

/** A refund the provider owes by bank transfer (a task of the dashboard): reminded before it is due, until paid. */
export interface RefundDueView {
  /** The refund's business key (`withdrawal:<payment key>`…): `POST /api/admin/refunds/:key/paid`. */
  key: string;
  amountCents: number;
  reason: string;
  /** Exclusive: the refund must be made before this instant. */
  dueAt: string;
  /** When the provider is reminded of it by email (3 days before it is due). */
  remindAt: string;
  paidAt: string | null;
}

export interface PackState {
  packId: string;
  packCode: PackCode;
  status: PackStatus;
  orderedAt: string;
  paymentMethod: PaymentMethod;
  priceCents: number;
  paymentDeadline: string;
  paidAt: string | null;
  paidCents: number;
  expiresAt: string | null;
  hours: Hours;
  lostAtExpiry: number;
  bookings: BookingView[];
  payments: PaymentView[];
  withdrawal: WithdrawalEligibility;
  refund: WithdrawalRefund | null;
  /** Refunds owed by bank transfer and their due dates (absent in states from before due dates). */
  refundsDue: RefundDueView[];
  /**
   * What the provider may still give back of their own accord (absent in states from before it): a commercial gesture
   * on the price, and the surplus received beyond it; and the refunds they decided.
   */
  refundable?: { goodwillCents: number; surplusCents: number };
  providerRefunds?: Array<{ n: number; reason: ProviderRefundReason; amountCents: number; at: string; note?: string }>;
  closedAt: string | null;
  nextTimers: Array<{ at: string; kind: string }>;
}

// ----------------------------------------------------------------------------------------------- messages

export const paymentReceived = defineSignal<[PaymentSignal]>('paymentReceived');

export const requestBooking = defineUpdate<{ booking: BookingView }, [{ start: string }]>('requestBooking');
export const confirmBooking = defineUpdate<{ booking: BookingView }, [{ bookingId: string }]>('confirmBooking');
export const declineBooking = defineUpdate<{ booking: BookingView }, [{ bookingId: string; reason?: string }]>('declineBooking');
export const cancelBooking = defineUpdate<
  { booking: BookingView; penalty: boolean; hoursReturned: number },
  [{ bookingId: string; by: 'client' | 'provider' }]
>('cancelBooking');
export const rescheduleBooking = defineUpdate<
  { booking: BookingView; penalty: boolean; billedBooking?: BookingView },
  [{ bookingId: string; start: string; by?: 'client' | 'provider' }]
>('rescheduleBooking');
export const reportNoShow = defineUpdate<{ booking: BookingView }, [{ bookingId: string }]>('reportNoShow');
export const waivePenalty = defineUpdate<{ booking: BookingView; hoursReturned: number }, [{ bookingId: string }]>('waivePenalty');
export const withdraw = defineUpdate<{ status: 'WITHDRAWN'; refund: WithdrawalRefund }, []>('withdraw');
/**
 * The provider records a withdrawal the client sent by email or letter (L221-21: any unambiguous statement):
 * `receivedAt` (ISO instant) is when the statement was received, on which the period and the started-session rule
 * are judged.
 */
export const recordWithdrawal = defineUpdate<{ status: 'WITHDRAWN'; refund: WithdrawalRefund }, [{ receivedAt: string }]>(
  'recordWithdrawal',
);
/** The provider has made a refund owed by bank transfer (marked paid on the dashboard): no reminder goes out for it. */
export const refundPaid = defineSignal<[{ key: string }]>('refundPaid');

/** Why the provider gives money back of their own accord: a commercial gesture on the price, or a surplus received. */
export type ProviderRefundReason = 'GOODWILL' | 'SURPLUS';
/**
 * The provider refunds a paid pack that stays sold (src/workflows/pack/provider-refunds.ts): a commercial gesture
 * (with its credit note) or the surplus of a payment (none: it was never invoiced).
 */
export const refundClient = defineUpdate<
  { refund: { reason: ProviderRefundReason; amountCents: number; method: PaymentMethod } },
  [{ amountCents: number; reason: ProviderRefundReason; note?: string }]
>('refundClient');

export const getPackState = defineQuery<PackState>('getPackState');

/** Stable error codes of the HTTP contract that the workflow's validators and handlers raise (as ApplicationFailure types). */
export const PACK_ERROR_CODES = [
  'VALIDATION_FAILED',
  'PACK_NOT_ACTIVE',
  'PAYMENT_PENDING',
  'INSUFFICIENT_HOURS',
  'SLOT_UNAVAILABLE',
  'OUTSIDE_AVAILABILITY',
  'TOO_SOON',
  'AFTER_EXPIRY',
  'BOOKING_NOT_FOUND',
  'BOOKING_NOT_CANCELLABLE',
  'WITHDRAWAL_NOT_ALLOWED',
] as const;
export type PackErrorCode = (typeof PACK_ERROR_CODES)[number];

/** French messages shown to clients for each code. */
export const PACK_ERROR_MESSAGES: Record<PackErrorCode, string> = {
  VALIDATION_FAILED: 'Données invalides.',
  PACK_NOT_ACTIVE: "Ce pack n'est plus actif.",
  PAYMENT_PENDING: 'Le paiement de ce pack n’a pas encore été reçu : la réservation sera possible dès sa réception.',
  INSUFFICIENT_HOURS: "Il ne reste pas assez d'heures sur ce pack pour cette séance.",
  SLOT_UNAVAILABLE: "Ce créneau n'est plus disponible.",
  OUTSIDE_AVAILABILITY: 'Ce créneau est en dehors des disponibilités du prestataire.',
  TOO_SOON: 'Ce créneau est trop proche : le délai minimum de prévenance n’est pas respecté.',
  AFTER_EXPIRY: 'Cette séance se terminerait après la date de fin de validité du pack.',
  BOOKING_NOT_FOUND: 'Séance introuvable.',
  BOOKING_NOT_CANCELLABLE: 'Cette séance ne peut plus être annulée ou modifiée.',
  WITHDRAWAL_NOT_ALLOWED: 'Le droit de rétractation ne peut plus être exercé pour ce pack.',
};
