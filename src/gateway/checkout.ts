/**
 * Card payments: Stripe Checkout sessions for orders, and Stripe's webhooks (SPEC "Order" 3; Stripe's samples:
 * raw body, signature checked, each event id processed once, a fast 2xx).
 */
import type { Client } from '@temporalio/client';
import type Stripe from 'stripe';
import { refundOnce } from '../infra/refunds';
import { signPackToken } from '../infra/tokens';

const CHECKOUT_RETURN_TTL_SECONDS = 2 * 86_400;
import { DEFAULT_CATALOG, isPackCode } from '../shared/catalog';
import { packWorkflowId, paymentReceived } from '../shared/pack';
import { MINUTE_MS, HOUR_MS } from '../shared/policy';
import type { GatewayData } from './data';

export interface PaymentDeps {
  stripe: Stripe;
  data: GatewayData;
  client: Client;
  publicUrl: string;
  config: { ACCESS_TOKEN_SECRET: string };
  /**
   * Local runs talk to stripe-mock, whose Checkout pages do not exist: the client is sent to a simulated checkout
   * page of ours instead (src/gateway/simulated-checkout.ts). Never set with a real Stripe key.
   */
  simulatedCheckout?: boolean;
}

/**
 * A Checkout session for an unpaid card order: EUR, the pack as line item, the order id in metadata and
 * client_reference_id, the client's email, expiring within 24 h and never after the order's payment deadline.
 * The n-th session of an order has its own idempotency key, so a retried request never makes two.
 */
export async function createCheckout(deps: PaymentDeps, packId: string): Promise<{ url: string; id: string }> {
  // One open session per order: asking again gives the same page (and never a new Stripe session per click).
  const open = await deps.data.openCheckout(packId);
  if (open) return open;
  const pack = await deps.data.checkoutTarget(packId);
  if (!pack) throw new Error(`no pack ${packId}`);
  const n = pack.checkoutCount + 1;
  const now = Date.now();
  const expiresAt = Math.max(now + 31 * MINUTE_MS, Math.min(now + 23 * HOUR_MS, pack.paymentDeadline.getTime()));
  const label = isPackCode(pack.packCode) ? DEFAULT_CATALOG[pack.packCode].label : pack.packCode;
  // Stripe's return addresses carry a token of their own, valid two days, not the order's long-lived access token:
  // an address ends up in browser histories and Stripe's logs.
  const returnToken = encodeURIComponent(signPackToken(deps.config.ACCESS_TOKEN_SECRET, pack.id, CHECKOUT_RETURN_TTL_SECONDS));
  const session = await deps.stripe.checkout.sessions.create(
    {
      mode: 'payment',
      locale: 'fr',
      client_reference_id: pack.id,
      customer_email: pack.email,
      metadata: { orderId: pack.id },
      payment_intent_data: { metadata: { orderId: pack.id } },
      line_items: [
        {
          quantity: pack.quantity,
          price_data: {
            currency: 'eur',
            unit_amount: Math.round(pack.priceCents / pack.quantity),
            product_data: { name: `imaginasite — ${label}` },
          },
        },
      ],
      expires_at: Math.floor(expiresAt / 1000),
      success_url: `${deps.publicUrl}/commande/merci?token=${returnToken}`,
      cancel_url: `${deps.publicUrl}/espace?token=${returnToken}`,
    },
    { idempotencyKey: `checkout:${pack.id}:${n}` },
  );
  const url = deps.simulatedCheckout
    ? `${deps.publicUrl}/dev/paiement-simule?session=${encodeURIComponent(session.id)}&pack=${pack.id}`
    : (session.url ?? '');
  await deps.data.recordCheckout({ packId: pack.id, sessionId: session.id, url, count: n, expiresAt: new Date(expiresAt) });
  return { url, id: session.id };
}

type Outcome = 'PROCESSED' | 'IGNORED' | 'UNMATCHED';

/** Drives the pack workflows from one verified Stripe event. Returns what became of it. */
export async function processStripeEvent(deps: PaymentDeps, event: Stripe.Event): Promise<{ outcome: Outcome; packId?: string }> {
  switch (event.type) {
    case 'checkout.session.completed':
    case 'checkout.session.async_payment_succeeded':
    case 'checkout.session.async_payment_failed':
    case 'checkout.session.expired': {
      const session = event.data.object;
      // Only a session this gateway made for the order pays it, in euros, as a one-off payment: a Payment Link or a
      // session of the account that merely names the pack in its metadata is kept for the provider (UNMATCHED).
      const ours = await deps.data.checkoutSession(session.id);
      const named = session.metadata?.orderId ?? session.client_reference_id ?? undefined;
      if (!ours || (named && named !== ours.packId) || session.mode !== 'payment' || session.currency !== 'eur') {
        return { outcome: 'UNMATCHED', packId: ours?.packId };
      }
      const pack = await deps.data.order(ours.packId);
      if (!pack) return { outcome: 'UNMATCHED' };
      if (event.type === 'checkout.session.expired') {
        // The client may start a new session from the portal until the order's deadline.
        await deps.data.forgetCheckout(pack.id, session.id);
        return { outcome: 'PROCESSED', packId: pack.id };
      }
      if (event.type === 'checkout.session.async_payment_failed') return { outcome: 'PROCESSED', packId: pack.id };
      // completed with a card is paid at once; a delayed method is paid when async_payment_succeeded arrives.
      if (event.type === 'checkout.session.completed' && session.payment_status !== 'paid')
        return { outcome: 'PROCESSED', packId: pack.id };
      const paymentIntent = typeof session.payment_intent === 'string' ? session.payment_intent : session.payment_intent?.id;
      if (!paymentIntent) return { outcome: 'UNMATCHED', packId: pack.id };
      await signalOrRefund(deps, pack.id, {
        method: 'card',
        amountCents: session.amount_total ?? 0,
        reference: paymentIntent,
        paidAt: new Date(event.created * 1000).toISOString(),
        idempotencyKey: `stripe:${paymentIntent}`,
      });
      return { outcome: 'PROCESSED', packId: pack.id };
    }
    case 'charge.refunded': {
      const charge = event.data.object;
      const packId = charge.metadata?.orderId;
      return { outcome: packId ? 'PROCESSED' : 'IGNORED', packId: packId && /^[0-9a-f-]{36}$/i.test(packId) ? packId : undefined };
    }
    default:
      return { outcome: 'IGNORED' };
  }
}

/**
 * Hands a payment to its pack. A pack whose workflow has ended (long after a cancellation or withdrawal) cannot take
 * it: the payment is refunded here and the provider told, so money is never kept without an order.
 */
async function signalOrRefund(
  deps: PaymentDeps,
  packId: string,
  p: { method: 'card'; amountCents: number; reference: string; paidAt: string; idempotencyKey: string },
) {
  try {
    await deps.client.workflow.getHandle(packWorkflowId(packId)).signal(paymentReceived, p);
  } catch (err) {
    const text = String((err as Error).message ?? err);
    if (!/not found|already completed/i.test(text)) throw err;
    const outcome = await refundOnce(
      { pool: deps.data.pool, stripe: deps.stripe },
      {
        packId,
        key: `closed-pack:${p.reference}`,
        method: 'card',
        reference: p.reference,
        amountCents: p.amountCents,
        reason: 'PACK_CLOSED',
      },
    );
    await deps.data.noteProviderTask({
      key: `closed-pack-payment:${p.reference}`,
      packId,
      kind: 'PAYMENT_FOR_CLOSED_PACK',
      amountCents: p.amountCents,
      details: { reference: p.reference, refunded: outcome.status === 'REFUNDED' },
    });
  }
}
