/**
 * What the gateway does with packs, shared by the JSON API and the HTML pages: read a pack's live state, send it
 * messages, list free slots, record a bank transfer. Temporal's refusals become the API's error codes.
 */
import crypto from 'node:crypto';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { DEFAULT_CATALOG, isPackCode } from '../shared/catalog';
import {
  cancelBooking,
  confirmBooking,
  declineBooking,
  getPackState,
  packWorkflowId,
  paymentReceived,
  recordWithdrawal,
  refundClient,
  reportNoShow,
  rescheduleBooking,
  waivePenalty,
  PACK_ERROR_CODES,
  type BookingView,
  type PackState,
  type PaymentSignal,
  type ProviderRefundReason,
} from '../shared/pack';
import { freeSlots, receivedInstant, sessionDurationMs, DAY_MS } from '../shared/policy';
import type { packWorkflow } from '../workflows/pack/workflow';
import type { GatewayData } from './data';
import { ApiError } from './http/errors';

/** HTTP status of each error code of the contract. */
export const ERROR_STATUS: Record<string, number> = {
  VALIDATION_FAILED: 400,
  UNAUTHORIZED: 401,
  NOT_FOUND: 404,
  PACK_NOT_ACTIVE: 409,
  PAYMENT_PENDING: 409,
  INSUFFICIENT_HOURS: 409,
  SLOT_UNAVAILABLE: 409,
  OUTSIDE_AVAILABILITY: 422,
  TOO_SOON: 422,
  AFTER_EXPIRY: 422,
  BOOKING_NOT_FOUND: 404,
  BOOKING_NOT_CANCELLABLE: 409,
  WITHDRAWAL_NOT_ALLOWED: 409,
  RATE_LIMITED: 429,
};

const CODES: readonly string[] = PACK_ERROR_CODES;

/** Turns Temporal's answers into the API's errors; anything unexpected stays an internal error. */
export function fromTemporal(err: unknown): never {
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure && CODES.includes(err.cause.type ?? '')) {
    throw new ApiError(ERROR_STATUS[err.cause.type!] ?? 409, err.cause.type!, err.cause.message);
  }
  if (err instanceof WorkflowNotFoundError) throw new ApiError(404, 'NOT_FOUND', 'Pack introuvable.');
  if (err instanceof WorkflowUpdateFailedError) {
    // Not a rule of the pack: a service it needed (the database) kept failing. Nothing was changed; retry.
    throw new ApiError(503, 'UNAVAILABLE', 'Service momentanément indisponible : rien n’a été modifié, réessayez dans un instant.');
  }
  const text = String((err as Error)?.message ?? err);
  if (/already completed|workflow execution already completed|not running/i.test(text)) {
    throw new ApiError(409, 'PACK_NOT_ACTIVE', "Ce pack est clos : plus aucune modification n'est possible.");
  }
  throw err;
}

export interface PackApiView extends Omit<PackState, 'bookings' | 'nextTimers'> {
  label: string;
  bookings: Array<BookingView & { freeCancellationUntil: string; cancellable: boolean }>;
}

/** What a provider's action on a session answers: the session as it now is, and the hours it gave back, if any. */
export interface ProviderActionResult {
  booking: BookingView;
  hoursReturned?: number;
  penalty?: boolean;
}

export class PackService {
  constructor(private readonly deps: { client: Client; data: GatewayData; freeCancellationNoticeMs: number }) {}

  handle(packId: string): WorkflowHandle<typeof packWorkflow> {
    return this.deps.client.workflow.getHandle<typeof packWorkflow>(packWorkflowId(packId));
  }

  /** The pack's live state from its workflow. */
  async state(packId: string): Promise<PackState> {
    if (!/^[0-9a-f-]{36}$/i.test(packId)) throw new ApiError(404, 'NOT_FOUND', 'Pack introuvable.');
    try {
      return await this.handle(packId).query(getPackState);
    } catch (err) {
      return fromTemporal(err);
    }
  }

  view(s: PackState, nowMs = Date.now()): PackApiView {
    const { nextTimers: _timers, ...rest } = s;
    void _timers;
    return {
      ...rest,
      label: isPackCode(s.packCode) ? DEFAULT_CATALOG[s.packCode].label : s.packCode,
      bookings: s.bookings.map((b) => ({
        ...b,
        freeCancellationUntil: new Date(Date.parse(b.start) - this.deps.freeCancellationNoticeMs).toISOString(),
        cancellable: (b.status === 'REQUESTED' || b.status === 'CONFIRMED') && Date.parse(b.start) > nowMs,
      })),
    };
  }

  /** Sends an update: an unknown pack answers 404 NOT_FOUND, a closed one 409 PACK_NOT_ACTIVE (see fromTemporal). */
  async update<R>(packId: string, fn: (h: WorkflowHandle<typeof packWorkflow>) => Promise<R>): Promise<R> {
    if (!/^[0-9a-f-]{36}$/i.test(packId)) throw new ApiError(404, 'NOT_FOUND', 'Pack introuvable.');
    try {
      return await fn(this.handle(packId));
    } catch (err) {
      return fromTemporal(err);
    }
  }

  /** The provider's actions on one session (dashboard and admin API alike). Unknown action → 404. */
  providerAction(packId: string, action: string, bookingId: string, arg?: string): Promise<ProviderActionResult> {
    const actions: Record<string, (h: WorkflowHandle<typeof packWorkflow>) => Promise<ProviderActionResult>> = {
      confirm: (h) => h.executeUpdate(confirmBooking, { args: [{ bookingId }] }),
      decline: (h) => h.executeUpdate(declineBooking, { args: [{ bookingId, reason: arg }] }),
      'no-show': (h) => h.executeUpdate(reportNoShow, { args: [{ bookingId }] }),
      waive: (h) => h.executeUpdate(waivePenalty, { args: [{ bookingId }] }),
      cancel: (h) => h.executeUpdate(cancelBooking, { args: [{ bookingId, by: 'provider' }] }),
      reschedule: (h) => h.executeUpdate(rescheduleBooking, { args: [{ bookingId, start: arg ?? '', by: 'provider' }] }),
    };
    const run = Object.hasOwn(actions, action) ? actions[action] : undefined;
    if (!run) return Promise.reject(new ApiError(404, 'NOT_FOUND', 'Action inconnue.'));
    return this.update(packId, run);
  }

  /**
   * Free slots this pack may book between two instants (at most 62 days apart), the first `limit` of them. When a
   * session is being moved, its own time is free for it (a move ignores the session it moves).
   */
  async slots(
    packId: string,
    o: { from?: string; to?: string; known?: PackState; limit?: number; moving?: string } = {},
  ): Promise<Array<{ start: string; end: string }>> {
    const s = o.known ?? (await this.state(packId));
    const now = Date.now();
    const from = o.from ? Date.parse(o.from) : now;
    const to = o.to ? Date.parse(o.to) : from + 14 * DAY_MS;
    if (Number.isNaN(from) || Number.isNaN(to) || to <= from || to - from > 62 * DAY_MS) {
      throw new ApiError(
        400,
        'VALIDATION_FAILED',
        'Les paramètres from et to doivent être des dates ISO 8601, to après from, 62 jours au plus.',
      );
    }
    if (s.status === 'AWAITING_PAYMENT') throw new ApiError(409, 'PAYMENT_PENDING', 'Le paiement de ce pack n’a pas encore été reçu.');
    if (s.status !== 'ACTIVE' || !s.expiresAt) return [];
    const [pack, availability, busy] = await Promise.all([
      this.deps.data.order(packId),
      this.deps.data.availability(),
      this.deps.data.busyRanges(from - DAY_MS, to + DAY_MS, o.moving),
    ]);
    if (!pack) throw new ApiError(404, 'NOT_FOUND', 'Pack introuvable.');
    return freeSlots({
      fromMs: Math.max(from, now),
      toMs: to,
      durationMs: sessionDurationMs({ sessionHours: pack.sessionHours, breakMinutes: pack.breakMinutes }),
      nowMs: now,
      expiresAtMs: Date.parse(s.expiresAt),
      availability,
      busy,
      limit: o.limit ?? 200,
    }).map((x) => ({ start: new Date(x.startMs).toISOString(), end: new Date(x.endMs).toISOString() }));
  }

  /**
   * The provider records a bank transfer, dated as the bank dates it (`receivedAt`: a date or an ISO instant, today
   * when absent; never in the future, never before the order): the payment deadline and the validity are judged on
   * it, so money that arrived in time revives an order cancelled meanwhile (while its workflow is open). The same
   * entry (reference and amount) posted twice counts once; the answer is the state once the workflow has taken it
   * into account.
   */
  async recordTransfer(
    packId: string,
    p: { amountCents: number; reference: string; receivedAt?: string },
    zone: string,
  ): Promise<PackState> {
    const before = await this.state(packId);
    const paidAtMs = p.receivedAt === undefined ? Date.now() : receivedMs(p.receivedAt, before, zone);
    const idempotencyKey = `transfer:${crypto.createHash('sha256').update(`${packId}|${p.reference}|${p.amountCents}`).digest('hex').slice(0, 32)}`;
    const signal: PaymentSignal = {
      method: 'bank_transfer',
      amountCents: p.amountCents,
      reference: p.reference,
      paidAt: new Date(paidAtMs).toISOString(),
      idempotencyKey,
    };
    try {
      await this.handle(packId).signal(paymentReceived, signal);
    } catch (err) {
      return fromTemporal(err);
    }
    if (before.payments.some((x) => x.idempotencyKey === idempotencyKey)) return before;
    for (let i = 0; i < 100; i++) {
      const s = await this.state(packId);
      if (s.payments.some((x) => x.idempotencyKey === idempotencyKey)) return s;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new ApiError(503, 'UNAVAILABLE', 'Le paiement est enregistré mais le pack ne répond pas encore ; réessayez dans un instant.');
  }

  /**
   * The provider records a withdrawal the client sent by email or letter (L221-21), with the date their statement
   * was received (a date or an ISO instant; never in the future, never before the order): the period and the
   * started-session rule are judged on it. A refusal is WITHDRAWAL_NOT_ALLOWED, saying why; nothing is changed then.
   * The answer is the pack's state once withdrawn.
   */
  async recordWithdrawal(packId: string, receivedAt: string, zone: string): Promise<PackState> {
    const before = await this.state(packId);
    const at = new Date(receivedMs(receivedAt, before, zone)).toISOString();
    await this.update(packId, (h) => h.executeUpdate(recordWithdrawal, { args: [{ receivedAt: at }] }));
    return this.state(packId);
  }

  /**
   * The provider gives money back of their own accord on a paid pack that stays sold: a commercial gesture (its credit
   * note follows) or a surplus. Refused with VALIDATION_FAILED (an amount the pack cannot give back) or
   * PACK_NOT_ACTIVE (unpaid, withdrawn). The answer is the pack's state with the refund decided.
   */
  async grantRefund(packId: string, r: { amountCents: number; reason: ProviderRefundReason; note?: string }): Promise<PackState> {
    await this.update(packId, (h) => h.executeUpdate(refundClient, { args: [r] }));
    return this.state(packId);
  }
}

/** The instant a date entered by the provider stands for (src/shared/policy.ts `receivedInstant`), or a French refusal. */
function receivedMs(value: string, pack: Pick<PackState, 'orderedAt'>, zone: string): number {
  const r = receivedInstant(value, { orderedAtMs: Date.parse(pack.orderedAt), nowMs: Date.now(), timezone: zone });
  if (r.ok) return r.ms;
  const why = {
    INVALID: 'doit être une date (AAAA-MM-JJ) ou une date-heure ISO 8601 avec fuseau.',
    FUTURE: 'ne peut pas être dans le futur.',
    BEFORE_ORDER: 'ne peut pas précéder la commande.',
  }[r.refusal];
  throw new ApiError(400, 'VALIDATION_FAILED', `Données invalides — receivedAt : la date de réception ${why}`);
}
