// The JSON API as a client and the provider use it, on a gateway world (test/support/gateway.ts): orders, a card
// payment by Stripe's signed webhook, the pack's state.
import request from 'supertest';
import { checkoutCompleted, checkoutSessionOf, PROVIDER_TOKEN, type GatewayWorld } from './gateway';
import { CONSENTS } from './packs';
import { until, type UntilOptions } from './until';

/** A request made with the provider's API token. */
export const asProvider = (r: request.Test) => r.set('authorization', `Bearer ${PROVIDER_TOKEN}`);
/** A request made with a pack's access token. */
export const asClient = (token: string) => (r: request.Test) => r.set('authorization', `Bearer ${token}`);

let seq = 0;
/** `POST /api/orders` with every acknowledgment ticked; `body` overrides the defaults (one hour, by transfer). */
export function placeOrder(w: GatewayWorld, body: Record<string, unknown> = {}, idempotencyKey?: string): request.Test {
  const r = request(w.app).post('/api/orders');
  if (idempotencyKey) r.set('idempotency-key', idempotencyKey);
  return r.send({
    packCode: 'PACK_1H',
    customer: { name: 'Léa Moreau', email: `client.${Date.now().toString(36)}${(seq++).toString(36)}@example.org` },
    paymentMethod: 'bank_transfer',
    consents: CONSENTS,
    ...body,
  });
}

/** Stripe's signed webhook for an event, as Stripe posts it. */
export function postStripeEvent(w: GatewayWorld, event: object): request.Test {
  const { payload, header } = w.signed(event);
  return request(w.app).post('/webhooks/stripe').set('stripe-signature', header).set('content-type', 'application/json').send(payload);
}

/** The pack as its client reads it (`GET /api/packs/:id`), waiting until `ok` holds. */
export function packUntil(
  w: GatewayWorld,
  pack: { packId: string; token: string },
  ok: (body: { status: string } & Record<string, unknown>) => boolean,
  what: string,
  opts?: UntilOptions,
) {
  return until(
    async () => {
      const res = await asClient(pack.token)(request(w.app).get(`/api/packs/${pack.packId}`));
      if (res.status !== 200) throw new Error(`GET /api/packs/${pack.packId} answered ${res.status}: ${res.text.slice(0, 500)}`);
      return res.body as { status: string } & Record<string, unknown>;
    },
    ok,
    what,
    opts,
  );
}

/** A card order paid by Stripe's signed `checkout.session.completed`, once the pack shows ACTIVE to its client. */
export async function paidPack(w: GatewayWorld, body: Record<string, unknown> = {}) {
  const res = await placeOrder(w, { paymentMethod: 'card', ...body });
  if (res.status !== 201) throw new Error(`the order was refused (${res.status}): ${res.text.slice(0, 500)}`);
  const pack = { packId: res.body.packId as string, token: res.body.accessToken as string };
  const { priceCents } = await w.db.prisma.pack.findUniqueOrThrow({ where: { id: pack.packId } });
  const paid = await postStripeEvent(w, checkoutCompleted(pack.packId, priceCents, { sessionId: await checkoutSessionOf(w, pack.packId) }));
  if (paid.status !== 200) throw new Error(`the webhook was refused (${paid.status}): ${paid.text.slice(0, 500)}`);
  const state = await packUntil(w, pack, (s) => s.status === 'ACTIVE', 'the payment');
  return { ...pack, priceCents, state };
}
