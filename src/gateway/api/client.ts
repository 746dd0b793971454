/**
 * The client side of the JSON API (SPEC, "The HTTP contract"): paths, fields and error codes are a public contract —
 * extend, never rename. Documented in README ("HTTP API").
 */
import crypto from 'node:crypto';
import express, { type Request, type Router } from 'express';
import { PACK_CODES } from '../../shared/catalog';
import { cancelBooking, requestBooking, rescheduleBooking, withdraw } from '../../shared/pack';
import { createCheckout } from '../checkout';
import type { GatewayContext } from '../context';
import { requirePackToken } from '../http/auth';
import { ApiError } from '../http/errors';
import { markOrderCreated } from '../http/limits';
import { parse } from '../http/validation';
import { clientDocumentUrl, documentView, sendDocumentPdf } from '../invoices';
import { clientMeta, orderResponse, orderSchema, placeOrder } from '../orders';
import { slotsQuery, startBody, uuidParam } from './schemas';
import { createLogger } from '../../infra/log';

const log = createLogger('gateway');

/** An `Idempotency-Key` names the order; without one, the same body from the same address within ten minutes does. */
function orderKeyOf(req: Request, body: unknown): string {
  const given = req.get('idempotency-key');
  if (given && /^[\w-]{8,100}$/.test(given)) return `key:${given}`;
  const window = Math.floor(Date.now() / 600_000);
  return `auto:${crypto
    .createHash('sha256')
    .update(`${req.ip}|${JSON.stringify(body)}|${window}`)
    .digest('hex')}`;
}

export function clientApiRouter(ctx: GatewayContext): Router {
  const r = express.Router();
  const packs = ctx.packs;
  // A pack lives in Temporal: its client is served while PostgreSQL is down, when the revocation check cannot be made
  // (an erased client's workflow is terminated anyway: nothing it could change is left).
  const revokedAt = (id: string) =>
    ctx.data.tokensRevokedAt(id).catch((err: Error) => {
      log.warn('token revocation not checked: the database is unreachable', { error: err.message });
      return null;
    });
  const packAuth = requirePackToken(ctx.config.ACCESS_TOKEN_SECRET, revokedAt);

  r.get('/api/catalog', (_req, res) => {
    res.json({
      packs: PACK_CODES.map((code) => {
        const o = ctx.catalog[code];
        return {
          code,
          label: o.label,
          hours: o.hours,
          sessionHours: o.sessionHours,
          breakMinutes: o.breakMinutes,
          maxQuantity: o.maxQuantity,
          priceCents: o.priceCents,
          currency: o.currency,
        };
      }),
    });
  });

  r.post('/api/orders', ctx.limits.orders, async (req, res) => {
    const order = parse(orderSchema, req.body);
    const placed = await placeOrder(ctx.orderDeps, order, { orderKey: orderKeyOf(req, req.body), ...clientMeta(req) });
    markOrderCreated(res, placed.created);
    res.status(placed.created ? 201 : 200).json(await orderResponse(ctx, placed));
  });

  r.get('/api/packs/:packId', packAuth, async (req, res) => {
    res.json(packs.view(await packs.state(req.packId!)));
  });

  r.get('/api/packs/:packId/invoices', packAuth, async (req, res) => {
    const packId = req.packId!;
    const documents = await ctx.data.documentsOfPack(packId);
    res
      .set('Cache-Control', 'private, no-store')
      .json({ invoices: documents.map((d) => documentView(d, clientDocumentUrl(packId, d.number))) });
  });

  r.get('/api/packs/:packId/invoices/:number.pdf', packAuth, async (req, res) => {
    await sendDocumentPdf(ctx, res, String(req.params.number), req.packId!);
  });

  r.get('/api/packs/:packId/slots', packAuth, async (req, res) => {
    const q = parse(slotsQuery, req.query);
    res.json({ slots: await packs.slots(req.packId!, { from: q.from, to: q.to }) });
  });

  r.post('/api/packs/:packId/bookings', ctx.limits.bookings, packAuth, async (req, res) => {
    const { start } = parse(startBody, req.body);
    const out = await packs.update(req.packId!, (h) => h.executeUpdate(requestBooking, { args: [{ start }] }));
    res.status(201).json({ booking: out.booking });
  });

  r.post('/api/packs/:packId/bookings/:bookingId/cancel', ctx.limits.bookings, packAuth, async (req, res) => {
    const bookingId = parse(uuidParam, req.params.bookingId);
    res.json(await packs.update(req.packId!, (h) => h.executeUpdate(cancelBooking, { args: [{ bookingId, by: 'client' }] })));
  });

  r.post('/api/packs/:packId/bookings/:bookingId/reschedule', ctx.limits.bookings, packAuth, async (req, res) => {
    const bookingId = parse(uuidParam, req.params.bookingId);
    const { start } = parse(startBody, req.body);
    res.json(await packs.update(req.packId!, (h) => h.executeUpdate(rescheduleBooking, { args: [{ bookingId, start, by: 'client' }] })));
  });

  r.post('/api/packs/:packId/withdraw', packAuth, async (req, res) => {
    res.json(await packs.update(req.packId!, (h) => h.executeUpdate(withdraw)));
  });

  r.post('/api/packs/:packId/checkout', ctx.limits.bookings, packAuth, async (req, res) => {
    const s = await packs.state(req.packId!);
    if (s.status !== 'AWAITING_PAYMENT') throw new ApiError(409, 'PACK_NOT_ACTIVE', 'Ce pack n’attend plus de paiement.');
    if (s.paymentMethod !== 'card') throw new ApiError(409, 'VALIDATION_FAILED', 'Ce pack se règle par virement.');
    const checkout = await createCheckout(ctx, req.packId!);
    res.status(201).json({ checkoutUrl: checkout.url });
  });

  return r;
}
