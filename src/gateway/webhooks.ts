import express, { type Router } from 'express';
import type Stripe from 'stripe';
import { poolOf } from '../infra/database';
import type { GatewayContext } from './context';
import { processStripeEvent } from './payments';

/**
 * `POST /webhooks/stripe`: the raw body, Stripe's signature checked (unsigned, forged or older than 5 minutes is
 * refused), each event id handled once. An event is recorded before it is processed; if processing fails the record
 * is removed and Stripe's retry processes it again.
 */
export function stripeWebhookRouter(ctx: GatewayContext): Router {
  const r = express.Router();
  r.post('/webhooks/stripe', express.raw({ type: () => true, limit: '512kb' }), (req, res, next) => {
    void (async () => {
      const signature = req.get('stripe-signature');
      let event: Stripe.Event;
      try {
        if (!signature || !Buffer.isBuffer(req.body)) throw new Error('missing signature');
        event = ctx.stripe.webhooks.constructEvent(req.body, signature, ctx.config.STRIPE_WEBHOOK_SECRET, 300);
      } catch {
        res.status(400).json({ error: { code: 'VALIDATION_FAILED', message: 'Signature Stripe absente, invalide ou trop ancienne.' } });
        return;
      }
      const pool = poolOf(ctx.prisma);
      const fresh = await pool.query(
        `INSERT INTO stripe_event (id, type, status, payload) VALUES ($1, $2, 'RECEIVED', $3::jsonb) ON CONFLICT (id) DO NOTHING`,
        [event.id, event.type, JSON.stringify(event)],
      );
      if (fresh.rowCount === 0) {
        res.json({ received: true, duplicate: true });
        return;
      }
      try {
        const { outcome, packId } = await processStripeEvent(ctx, event);
        await pool.query('UPDATE stripe_event SET status = $2, pack_id = $3::uuid WHERE id = $1', [event.id, outcome, packId ?? null]);
        res.json({ received: true, outcome });
      } catch (err) {
        await pool.query('DELETE FROM stripe_event WHERE id = $1', [event.id]).catch(() => undefined);
        throw err;
      }
    })().catch(next);
  });
  return r;
}
