/**
 * Local only (STRIPE_API_URL set, i.e. stripe-mock): a stand-in for Stripe's hosted Checkout page, which cannot be
 * reached from here. Paying there sends this gateway the same signed `checkout.session.completed` webhook Stripe
 * would send, through the real webhook endpoint. Not mounted when talking to the real Stripe.
 */
import crypto from 'node:crypto';
import express, { type Router } from 'express';
import { readCookie, PACK_COOKIE } from './auth';
import type { GatewayContext } from './context';
import { ApiError } from './errors';
import { asyncRoute } from './api';
import { euros, html, page } from './views';

export function simulatedCheckoutRouter(ctx: GatewayContext): Router {
  const r = express.Router();
  const packOf = async (id: unknown) => {
    const pack = typeof id === 'string' && /^[0-9a-f-]{36}$/.test(id) ? await ctx.prisma.pack.findUnique({ where: { id } }) : null;
    if (!pack || pack.paymentMethod !== 'card') throw new ApiError(404, 'NOT_FOUND', 'Commande introuvable.');
    return pack;
  };
  r.get(
    '/dev/paiement-simule',
    asyncRoute(async (req, res) => {
      const pack = await packOf(req.query.pack);
      res.type('html').send(
        page(
          'Paiement simulé',
          html`<h1>Paiement par carte (simulé)</h1>
            <p class="flash warning">
              Environnement local : Stripe est remplacé par stripe-mock. Ce bouton envoie le webhook signé que Stripe enverrait.
            </p>
            <p>Montant : <strong>${euros(pack.priceCents)}</strong></p>
            <form method="post" action="/dev/paiement-simule">
              <input type="hidden" name="pack" value="${pack.id}" /><button data-testid="simulated-pay">
                Payer ${euros(pack.priceCents)}
              </button>
            </form>`,
        ),
      );
    }),
  );
  r.post(
    '/dev/paiement-simule',
    asyncRoute(async (req, res) => {
      const pack = await packOf(req.body?.pack);
      const event = {
        id: `evt_local_${crypto.randomBytes(8).toString('hex')}`,
        object: 'event',
        type: 'checkout.session.completed',
        created: Math.floor(Date.now() / 1000),
        data: {
          object: {
            id: pack.checkoutSessionId,
            object: 'checkout.session',
            client_reference_id: pack.id,
            metadata: { orderId: pack.id },
            payment_status: 'paid',
            status: 'complete',
            amount_total: pack.priceCents,
            currency: 'eur',
            payment_intent: `pi_local_${crypto.randomBytes(8).toString('hex')}`,
          },
        },
      };
      const payload = JSON.stringify(event);
      const signature = ctx.stripe.webhooks.generateTestHeaderString({ payload, secret: ctx.config.STRIPE_WEBHOOK_SECRET });
      const answer = await fetch(`http://127.0.0.1:${req.socket.localPort}/webhooks/stripe`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'stripe-signature': signature },
        body: payload,
      });
      if (!answer.ok) throw new Error(`the webhook endpoint answered ${answer.status}`);
      const token = readCookie(req, PACK_COOKIE);
      res.redirect(303, token ? `/commande/merci?token=${encodeURIComponent(token)}` : '/commande/merci');
    }),
  );
  return r;
}
