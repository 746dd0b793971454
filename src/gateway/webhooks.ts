import express, { type Router } from 'express';
import type Stripe from 'stripe';
import { processStripeEvent } from './checkout';
import type { GatewayContext } from './context';

/**
 * `POST /webhooks/stripe`: the raw body, Stripe's signature checked (unsigned, forged or older than 5 minutes is
 * refused), each event id handled once. An event is recorded before it is processed; if processing fails the record
 * is removed and Stripe's retry processes it again.
 */
export function stripeWebhookRouter(ctx: GatewayContext): Router {
  const r = express.Router();
  r.post('/webhooks/stripe', express.raw({ type: () => true, limit: '512kb' }), async (req, res) => {
    const signature = req.get('stripe-signature');
    let event: Stripe.Event;
    try {
      if (!signature || !Buffer.isBuffer(req.body)) throw new Error('missing signature');
      event = ctx.stripe.webhooks.constructEvent(req.body, signature, ctx.config.STRIPE_WEBHOOK_SECRET, 300);
    } catch {
      res.status(400).json({ error: { code: 'VALIDATION_FAILED', message: 'Signature Stripe absente, invalide ou trop ancienne.' } });
      return;
    }
    if (!(await ctx.data.receiveStripeEvent(event, JSON.stringify(event)))) {
      res.json({ received: true, duplicate: true });
      return;
    }
    try {
      const { outcome, packId } = await processStripeEvent(ctx, event);
      await ctx.data.settleStripeEvent(event.id, outcome, packId ?? null);
      res.json({ received: true, outcome });
    } catch (err) {
      // Forgotten, Stripe's retry processes it again; should even that fail, the error that matters is the first.
      await ctx.data.forgetStripeEvent(event.id).catch(() => undefined);
      throw err;
    }
  });
  return r;
}
