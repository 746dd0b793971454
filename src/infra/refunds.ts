/**
 * Refunds, made once per business key wherever they are decided (a pack's workflow through its activity, or the
 * gateway for a payment to a pack whose workflow has ended): by Stripe for a card (idempotency key derived from the
 * business key, never from a run or an attempt), by a task for the provider for a bank transfer. A refund Stripe
 * refuses for good becomes a task for the provider too: money is never lost track of. A task has a due date (L221-24
 * for a withdrawal: 14 days after the client's statement was received) and stays in the dashboard's « À faire » until
 * the provider marks it paid (`markRefundPaid`).
 */
import type { Pool } from 'pg';
import type Stripe from 'stripe';
import type { PaymentMethod } from '../shared/pack';

export interface RefundRequest {
  packId: string;
  /** The business reason's key (`withdrawal:<payment>`, `unpaid:<payment>`, `closed-pack:<payment intent>`…). */
  key: string;
  method: PaymentMethod;
  /** Stripe PaymentIntent id (card) or the transfer's reference. */
  reference: string;
  amountCents: number;
  reason: string;
  /** When the refund is due should it fall to the provider (epoch ms); 14 days from now when not given. */
  dueAtMs?: number;
}

/** The provider task of a refund: its key in `provider_task`. */
export const refundTaskKey = (refundKey: string) => `refund:${refundKey}`;

/** The task kinds that are refunds the provider makes by transfer (and marks paid). */
export const REFUND_TASK_KINDS = ['BANK_REFUND', 'CARD_REFUND_FAILED'] as const;

export interface RefundOutcome {
  status: 'REFUNDED' | 'PROVIDER_TASK';
  stripeRefundId?: string;
}

export async function refundOnce(deps: { pool: Pool; stripe: Stripe }, r: RefundRequest): Promise<RefundOutcome> {
  const { pool, stripe } = deps;
  const done = await pool.query<{ status: RefundOutcome['status']; stripe_refund_id: string | null }>(
    'SELECT status, stripe_refund_id FROM refund WHERE key = $1',
    [r.key],
  );
  if (done.rows[0]) return { status: done.rows[0].status, stripeRefundId: done.rows[0].stripe_refund_id ?? undefined };

  const record = (status: RefundOutcome['status'], stripeRefundId: string | null) =>
    pool.query(
      `INSERT INTO refund (key, pack_id, method, amount_cents, stripe_refund_id, status) VALUES ($1, $2::uuid, $3, $4, $5, $6)
       ON CONFLICT (key) DO NOTHING`,
      [r.key, r.packId, r.method, r.amountCents, stripeRefundId, status],
    );
  const task = async (kind: string, details: Record<string, unknown>): Promise<RefundOutcome> => {
    await pool.query(
      `INSERT INTO provider_task (key, pack_id, kind, amount_cents, details, due_at)
       VALUES ($1, $2::uuid, $3, $4, $5::jsonb, COALESCE($6::timestamptz, now() + interval '14 days'))
       ON CONFLICT (key) DO NOTHING`,
      [
        refundTaskKey(r.key),
        r.packId,
        kind,
        r.amountCents,
        JSON.stringify({ reason: r.reason, reference: r.reference, method: r.method, refundKey: r.key, ...details }),
        r.dueAtMs !== undefined ? new Date(r.dueAtMs) : null,
      ],
    );
    await record('PROVIDER_TASK', null);
    return { status: 'PROVIDER_TASK' };
  };

  if (r.method === 'bank_transfer') return task('BANK_REFUND', {});
  try {
    const refund = await stripe.refunds.create(
      { payment_intent: r.reference, amount: r.amountCents, metadata: { packId: r.packId, reason: r.reason } },
      { idempotencyKey: `refund:${r.key}` },
    );
    await record('REFUNDED', refund.id);
    return { status: 'REFUNDED', stripeRefundId: refund.id };
  } catch (err) {
    const type = (err as { type?: string }).type;
    if (type === 'StripeInvalidRequestError' || type === 'StripeCardError') {
      return task('CARD_REFUND_FAILED', { stripeError: (err as Error).message.slice(0, 300) });
    }
    throw err; // network, rate limit, Stripe outage: retried by the caller
  }
}

/**
 * The provider made a refund owed by transfer: its task leaves the « À faire » list. Marking it twice keeps the first
 * date. Undefined when no refund task has that key.
 */
export async function markRefundPaid(
  pool: Pool,
  refundKey: string,
): Promise<{ packId: string | null; amountCents: number | null; dueAt: Date | null; paidAt: Date; kind: string } | undefined> {
  const { rows } = await pool.query<{ packId: string | null; amountCents: number | null; dueAt: Date | null; paidAt: Date; kind: string }>(
    `UPDATE provider_task SET done_at = COALESCE(done_at, now()) WHERE key = $1 AND kind = ANY($2::text[])
     RETURNING pack_id::text AS "packId", amount_cents AS "amountCents", due_at AS "dueAt", done_at AS "paidAt", kind`,
    [refundTaskKey(refundKey), [...REFUND_TASK_KINDS]],
  );
  return rows[0];
}
