/**
 * Local only (STRIPE_API_URL set, i.e. stripe-mock): a stand-in for Stripe's hosted Checkout page, which cannot be
 * reached from here. Paying there sends this gateway the same signed `checkout.session.completed` webhook Stripe
 * would send, through the real webhook endpoint. Not mounted when talking to the real Stripe.
 */
import crypto from 'node:crypto';
import express, { type Router } from 'express';
import { signPackToken } from '../infra/tokens';
import { euros } from '../shared/format';
import type { GatewayContext } from './context';
import { ApiError } from './http/errors';
import { Layout } from './views/layout';
import { sendPage } from './views/render';

function SimulatedCheckoutPage({ packId, priceCents }: { packId: string; priceCents: number }) {
  return (
    <Layout title="Paiement simulé">
      <h1>Paiement par carte (simulé)</h1>
      <p class="flash warning">
        Environnement local : Stripe est remplacé par stripe-mock. Ce bouton envoie le webhook signé que Stripe enverrait.
      </p>
      <p>
        Montant : <strong>{euros(priceCents)}</strong>
      </p>
      <form method="post" action="/dev/paiement-simule">
        <input type="hidden" name="pack" value={packId} />
        <button data-testid="simulated-pay">Payer {euros(priceCents)}</button>
      </form>
    </Layout>
  );
}

export function simulatedCheckoutRouter(ctx: GatewayContext): Router {
  const r = express.Router();
  const cardOrder = async (id: unknown) => {
    const pack = typeof id === 'string' && /^[0-9a-f-]{36}$/.test(id) ? await ctx.data.order(id) : undefined;
    if (!pack || pack.paymentMethod !== 'card') throw new ApiError(404, 'NOT_FOUND', 'Commande introuvable.');
    return pack;
  };

  r.get('/dev/paiement-simule', async (req, res) => {
    const pack = await cardOrder(req.query.pack);
    sendPage(res, <SimulatedCheckoutPage packId={pack.id} priceCents={pack.priceCents} />);
  });

  r.post('/dev/paiement-simule', async (req, res) => {
    const pack = await cardOrder((req.body as { pack?: unknown } | undefined)?.pack);
    const session = {
      id: pack.checkoutSessionId,
      object: 'checkout.session',
      mode: 'payment',
      client_reference_id: pack.id,
      metadata: { orderId: pack.id },
      payment_status: 'paid',
      status: 'complete',
      amount_total: pack.priceCents,
      currency: 'eur',
      payment_intent: `pi_local_${crypto.randomBytes(8).toString('hex')}`,
    };
    const event = {
      id: `evt_local_${crypto.randomBytes(8).toString('hex')}`,
      object: 'event',
      type: 'checkout.session.completed',
      created: Math.floor(Date.now() / 1000),
      data: { object: session },
    };
    const payload = JSON.stringify(event);
    const signature = ctx.stripe.webhooks.generateTestHeaderString({ payload, secret: ctx.config.STRIPE_WEBHOOK_SECRET });
    const answer = await fetch(`http://127.0.0.1:${req.socket.localPort}/webhooks/stripe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': signature },
      body: payload,
    });
    if (!answer.ok) throw new Error(`the webhook endpoint answered ${answer.status}`);
    // As Stripe does: back to the order's success address, with a short-lived token of the pack.
    res.redirect(303, `/commande/merci?token=${encodeURIComponent(signPackToken(ctx.config.ACCESS_TOKEN_SECRET, pack.id, 2 * 86_400))}`);
  });
  return r;
}
