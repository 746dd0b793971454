/**
 * The JSON API (SPEC, "The HTTP contract"): paths, fields and error codes are a public contract — extend, never
 * rename. Documented in README ("HTTP API").
 */
import crypto from 'node:crypto';
import express, { type Request, type RequestHandler, type Router } from 'express';
import { z } from 'zod';
import { loadAvailability } from '../activities/packs';
import { signPackToken } from '../infra/tokens';
import { PACK_CODES } from '../shared/catalog';
import { cancelBooking, requestBooking, rescheduleBooking, withdraw } from '../shared/pack';
import type { Availability } from '../shared/policy';
import type { GatewayContext } from './context';
import { ApiError } from './errors';
import { orderSchema, placeOrder, type PlacedOrder } from './orders';
import { createCheckout } from './payments';
import { requirePackToken, requireProvider } from './auth';

export const asyncRoute =
  (fn: (...a: Parameters<RequestHandler>) => Promise<unknown>): RequestHandler =>
  (req, res, next) => {
    fn(req, res, next).catch(next);
  };

/** Zod issues as one French sentence naming the fields. */
export function validationError(error: z.ZodError): ApiError {
  const parts = error.issues.slice(0, 5).map((i) => `${i.path.join('.') || 'corps'} : ${i.message}`);
  return new ApiError(400, 'VALIDATION_FAILED', `Données invalides — ${parts.join(' ; ')}`);
}

export function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (!r.success) throw validationError(r.error);
  return r.data;
}

const startBody = z.object({ start: z.string().max(40) }).strict();
const uuidParam = z.string().uuid();

/** The access token a client gets with an order: valid while the pack can live (validity, deadline and linger). */
export const ACCESS_TOKEN_TTL_SECONDS = 200 * 24 * 3600;

export function orderKeyOf(req: Request, body: unknown): string {
  const given = req.get('idempotency-key');
  if (given && /^[\w-]{8,100}$/.test(given)) return `key:${given}`;
  // Without a key, the same body from the same address within ten minutes is the same order (a double submit).
  const window = Math.floor(Date.now() / 600_000);
  return `auto:${crypto
    .createHash('sha256')
    .update(`${req.ip}|${JSON.stringify(body)}|${window}`)
    .digest('hex')}`;
}

/** The answer to an order: what to do next to pay. */
export async function orderResponse(ctx: GatewayContext, placed: PlacedOrder) {
  const accessToken = signPackToken(ctx.config.ACCESS_TOKEN_SECRET, placed.packId, ACCESS_TOKEN_TTL_SECONDS);
  let checkoutUrl: string | undefined;
  if (placed.paymentMethod === 'card' && placed.status === 'AWAITING_PAYMENT') {
    checkoutUrl = placed.checkoutUrl ?? (await createCheckout(ctx, placed.packId, accessToken)).url;
  }
  return {
    orderId: placed.orderId,
    packId: placed.packId,
    status: placed.status,
    accessToken,
    ...(checkoutUrl ? { checkoutUrl } : {}),
    ...(placed.paymentMethod === 'bank_transfer'
      ? {
          bankTransfer: {
            iban: ctx.config.BANK_IBAN,
            bic: ctx.config.BANK_BIC,
            holder: ctx.config.BANK_ACCOUNT_HOLDER,
            reference: placed.bankReference,
            amountCents: placed.priceCents,
            deadline: placed.paymentDeadline.toISOString(),
          },
        }
      : {}),
  };
}

export function clientMeta(req: Request) {
  return { ip: req.ip ?? 'unknown', userAgent: req.get('user-agent') ?? 'unknown' };
}

const availabilitySchema = z
  .object({
    timezone: z.string().min(3).max(60),
    weekly: z
      .array(
        z.object({
          day: z.number().int().min(1).max(7),
          from: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'heure HH:MM'),
          to: z.string().regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'heure HH:MM'),
        }),
      )
      .max(50),
    exceptions: z
      .array(
        z.object({
          date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'date AAAA-MM-JJ'),
          closed: z.boolean().optional(),
          from: z
            .string()
            .regex(/^([01]\d|2[0-3]):[0-5]\d$/)
            .optional(),
          to: z
            .string()
            .regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/)
            .optional(),
        }),
      )
      .max(500),
    minNoticeHours: z
      .number()
      .int()
      .min(0)
      .max(24 * 60),
    bufferMinutes: z.number().int().min(0).max(240),
    autoConfirm: z.boolean(),
  })
  .strict()
  .refine((a) => a.weekly.every((w) => w.to > w.from) && a.exceptions.every((e) => e.closed || (e.from && e.to && e.to > e.from)), {
    message: 'chaque plage doit finir après son début ; une exception est fermée ou a des heures from/to',
  });

export function apiRouter(ctx: GatewayContext): Router {
  const r = express.Router();
  const packs = ctx.packs;
  const packAuth = requirePackToken(ctx.config.ACCESS_TOKEN_SECRET);
  const provider = requireProvider({ apiToken: ctx.config.PROVIDER_API_TOKEN, secret: ctx.config.ACCESS_TOKEN_SECRET });

  // ------------------------------------------------------------------------------------------- public
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

  r.post(
    '/api/orders',
    ctx.limits.orders,
    asyncRoute(async (req, res) => {
      const order = parse(orderSchema, req.body);
      const placed = await placeOrder(ctx.orderDeps(), order, { orderKey: orderKeyOf(req, req.body), ...clientMeta(req) });
      res.status(placed.created ? 201 : 200).json(await orderResponse(ctx, placed));
    }),
  );

  // ------------------------------------------------------------------------------------------- client
  r.get(
    '/api/packs/:packId',
    packAuth,
    asyncRoute(async (req, res) => {
      res.json(packs.view(await packs.state(req.packId!)));
    }),
  );

  r.get(
    '/api/packs/:packId/slots',
    packAuth,
    asyncRoute(async (req, res) => {
      const q = parse(z.object({ from: z.string().max(40).optional(), to: z.string().max(40).optional() }), req.query);
      res.json({ slots: await packs.slots(req.packId!, q.from, q.to) });
    }),
  );

  r.post(
    '/api/packs/:packId/bookings',
    ctx.limits.bookings,
    packAuth,
    asyncRoute(async (req, res) => {
      const { start } = parse(startBody, req.body);
      const out = await packs.update(req.packId!, (h) => h.executeUpdate(requestBooking, { args: [{ start }] }));
      res.status(201).json({ booking: out.booking });
    }),
  );

  r.post(
    '/api/packs/:packId/bookings/:bookingId/cancel',
    ctx.limits.bookings,
    packAuth,
    asyncRoute(async (req, res) => {
      const bookingId = parse(uuidParam, req.params.bookingId);
      res.json(await packs.update(req.packId!, (h) => h.executeUpdate(cancelBooking, { args: [{ bookingId, by: 'client' }] })));
    }),
  );

  r.post(
    '/api/packs/:packId/bookings/:bookingId/reschedule',
    ctx.limits.bookings,
    packAuth,
    asyncRoute(async (req, res) => {
      const bookingId = parse(uuidParam, req.params.bookingId);
      const { start } = parse(startBody, req.body);
      res.json(await packs.update(req.packId!, (h) => h.executeUpdate(rescheduleBooking, { args: [{ bookingId, start, by: 'client' }] })));
    }),
  );

  r.post(
    '/api/packs/:packId/withdraw',
    packAuth,
    asyncRoute(async (req, res) => {
      res.json(await packs.update(req.packId!, (h) => h.executeUpdate(withdraw)));
    }),
  );

  r.post(
    '/api/packs/:packId/checkout',
    packAuth,
    asyncRoute(async (req, res) => {
      const s = await packs.state(req.packId!);
      if (s.status !== 'AWAITING_PAYMENT') throw new ApiError(409, 'PACK_NOT_ACTIVE', 'Ce pack n’attend plus de paiement.');
      if (s.paymentMethod !== 'card') throw new ApiError(409, 'VALIDATION_FAILED', 'Ce pack se règle par virement.');
      const checkout = await createCheckout(ctx, req.packId!, req.packToken!);
      res.status(201).json({ checkoutUrl: checkout.url });
    }),
  );

  // ------------------------------------------------------------------------------------------- provider
  r.get(
    '/api/admin/packs',
    provider,
    asyncRoute(async (req, res) => {
      const q = parse(
        z.object({
          status: z.enum(['AWAITING_PAYMENT', 'ACTIVE', 'USED_UP', 'EXPIRED', 'CANCELLED_UNPAID', 'WITHDRAWN']).optional(),
          expiringWithinDays: z.coerce.number().int().min(1).max(120).optional(),
        }),
        req.query,
      );
      res.json({ packs: await ctx.listPacks(q) });
    }),
  );

  r.get(
    '/api/admin/packs/:packId',
    provider,
    asyncRoute(async (req, res) => {
      const packId = String(req.params.packId);
      const state = packs.view(await packs.state(packId));
      const row = await ctx.prisma.pack.findUnique({ where: { id: packId }, include: { customer: true } });
      if (!row) throw new ApiError(404, 'NOT_FOUND', 'Pack introuvable.');
      const events = await ctx.prisma.packEvent.findMany({ where: { packId }, orderBy: { id: 'asc' } });
      res.json({
        ...state,
        customer: { name: row.customer.name, email: row.customer.email, phone: row.customer.phone },
        project: row.project,
        bankReference: row.bankReference,
        timeline: events.map((e) => ({ at: e.at.toISOString(), type: e.type, data: e.data })),
        temporalUrl: `${ctx.config.TEMPORAL_UI_URL}/namespaces/${ctx.config.TEMPORAL_NAMESPACE}/workflows/pack-${packId}`,
      });
    }),
  );

  r.post(
    '/api/admin/packs/:packId/payments',
    provider,
    asyncRoute(async (req, res) => {
      const body = parse(
        z
          .object({
            method: z.literal('bank_transfer'),
            amountCents: z.number().int().min(1).max(10_000_000),
            reference: z.string().trim().min(3).max(100),
          })
          .strict(),
        req.body,
      );
      res.json(packs.view(await packs.recordTransfer(String(req.params.packId), body)));
    }),
  );

  r.post(
    '/api/admin/packs/:packId/bookings/:bookingId/:action',
    provider,
    asyncRoute(async (req, res) => {
      const action = String(req.params.action);
      const bookingId = parse(uuidParam, req.params.bookingId);
      const body = parse(
        z.object({ reason: z.string().max(300).optional(), start: z.string().max(40).optional() }).passthrough(),
        req.body ?? {},
      );
      res.json(await packs.providerAction(String(req.params.packId), action, bookingId, action === 'decline' ? body.reason : body.start));
    }),
  );

  r.get(
    '/api/admin/availability',
    provider,
    asyncRoute(async (_req, res) => {
      res.json(await loadAvailability(ctx.prisma));
    }),
  );

  r.put(
    '/api/admin/availability',
    provider,
    asyncRoute(async (req, res) => {
      const a = parse(availabilitySchema, req.body) as Availability;
      await ctx.saveAvailability(a);
      res.json(await loadAvailability(ctx.prisma));
    }),
  );

  r.get(
    '/api/admin/outbox',
    provider,
    asyncRoute(async (req, res) => {
      const q = parse(z.object({ status: z.enum(['PENDING', 'SENT']).optional() }), req.query);
      const rows = await ctx.prisma.outboxEmail.findMany({
        where: q.status ? { status: q.status } : {},
        orderBy: { id: 'desc' },
        take: 200,
      });
      res.json({
        emails: rows.map((e) => ({
          id: String(e.id),
          packId: e.packId,
          template: e.template,
          to: e.toAddress,
          subject: e.subject,
          status: e.status,
          attempts: e.attempts,
          lastError: e.lastError,
          createdAt: e.createdAt,
          sentAt: e.sentAt,
        })),
      });
    }),
  );

  return r;
}

export { availabilitySchema };
