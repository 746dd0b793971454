import express, { type Router } from 'express';
import type Stripe from 'stripe';
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
      const fresh = await ctx.prisma.stripeEvent.createMany({
        data: [{ id: event.id, type: event.type, status: 'RECEIVED', payload: event as unknown as object }],
        skipDuplicates: true,
      });
      if (fresh.count === 0) {
        res.json({ received: true, duplicate: true });
        return;
      }
      try {
        const { outcome, packId } = await processStripeEvent(ctx, event);
        await ctx.prisma.stripeEvent.update({ where: { id: event.id }, data: { status: outcome, packId: packId ?? null } });
        res.json({ received: true, outcome });
      } catch (err) {
        await ctx.prisma.stripeEvent.delete({ where: { id: event.id } }).catch(() => undefined);
        throw err;
      }
    })().catch(next);
  });
  return r;
}
