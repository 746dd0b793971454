/**
 * Personal data (CGV « accès, modification ou suppression »): export everything held about a client, and erase a
 * client — their personal data is removed from PostgreSQL while the records a business must keep (amounts, dates,
 * invoice references) stay, and their Temporal histories become unreadable (their key is destroyed).
 */
import express, { type Router } from 'express';
import { DateTime } from 'luxon';
import { ClientEncryptionCodec, type ClientKeyStore } from '../infra/codec';
import { packWorkflowId } from '../shared/pack';
import { asyncRoute, parse } from './api';
import { requireProvider } from './auth';
import type { GatewayContext } from './context';
import { ApiError } from './errors';
import { z } from 'zod';

const json = (v: unknown) =>
  JSON.parse(JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? String(x) : x instanceof Uint8Array ? undefined : x)));

/** Everything held about a client: customer, consents, packs with sessions, payments, timeline, emails. */
export async function exportCustomerData(ctx: GatewayContext, customerId: string) {
  const customer = await ctx.prisma.customer.findUnique({ where: { id: customerId }, include: { consents: true } });
  if (!customer) throw new ApiError(404, 'NOT_FOUND', 'Client introuvable.');
  const packs = await ctx.prisma.pack.findMany({ where: { customerId }, include: { bookings: true, events: true, payments: true } });
  const emails = await ctx.prisma.outboxEmail.findMany({ where: { packId: { in: packs.map((p) => p.id) } }, orderBy: { id: 'asc' } });
  const histories: Record<string, unknown> = {};
  for (const p of packs) {
    // The workflow's own view of the pack (from its history), when it can still be read.
    histories[p.id] = await ctx.packs.state(p.id).catch(() => null);
  }
  return json({
    exportedAt: DateTime.now().toISO(),
    customer: {
      id: customer.id,
      name: customer.name,
      email: customer.email,
      phone: customer.phone,
      createdAt: customer.createdAt,
      erasedAt: customer.erasedAt,
    },
    consents: customer.consents,
    packs,
    workflowStates: histories,
    emails: emails.map((e) => ({
      to: e.toAddress,
      subject: e.subject,
      text: e.textBody,
      status: e.status,
      createdAt: e.createdAt,
      sentAt: e.sentAt,
    })),
  });
}

export async function eraseCustomer(ctx: GatewayContext, keys: ClientKeyStore, customerId: string): Promise<{ packs: number }> {
  const customer = await ctx.prisma.customer.findUnique({ where: { id: customerId }, include: { packs: true } });
  if (!customer) throw new ApiError(404, 'NOT_FOUND', 'Client introuvable.');
  // 1. The client's packs stop: nothing may run on data that is about to become unreadable.
  for (const p of customer.packs) {
    await ctx.client.workflow
      .getHandle(packWorkflowId(p.id))
      .terminate('données du client effacées à sa demande')
      .catch(() => undefined); // already closed
  }
  // 2. Crypto-shredding: their payloads in Temporal can no longer be decrypted.
  await keys.destroy(customerId);
  // 3. PostgreSQL: personal data removed; amounts, dates and references kept.
  const packIds = customer.packs.map((p) => p.id);
  await ctx.prisma.$transaction([
    ctx.prisma.customer.update({
      where: { id: customerId },
      data: { name: 'Client effacé', email: `efface+${customerId}@invalid`, phone: null, erasedAt: new Date() },
    }),
    ctx.prisma.consent.updateMany({ where: { customerId }, data: { ip: '0.0.0.0', userAgent: 'effacé' } }),
    ctx.prisma.pack.updateMany({ where: { customerId }, data: { project: null } }),
    ctx.prisma.outboxEmail.updateMany({
      where: { packId: { in: packIds } },
      data: { toAddress: 'efface@invalid', subject: '(effacé)', textBody: '', htmlBody: '', icsBody: null },
    }),
    ctx.prisma.stripeEvent.updateMany({ where: { packId: { in: packIds } }, data: { payload: { erased: true } } }),
  ]);
  return { packs: packIds.length };
}

/** The admin API for personal data, and the Temporal Web UI's codec endpoint (decrypts for the provider). */
export function personalDataRouter(ctx: GatewayContext, keys: ClientKeyStore): Router {
  const r = express.Router();
  const provider = requireProvider({ apiToken: ctx.config.PROVIDER_API_TOKEN, secret: ctx.config.ACCESS_TOKEN_SECRET });
  const customerId = (v: unknown) => parse(z.string().uuid(), v);

  r.get(
    '/api/admin/customers/:customerId/export',
    provider,
    asyncRoute(async (req, res) => {
      const data = await exportCustomerData(ctx, customerId(req.params.customerId));
      res.set('Content-Disposition', `attachment; filename="client-${String(req.params.customerId).slice(0, 8)}.json"`).json(data);
    }),
  );

  r.post(
    '/api/admin/customers/:customerId/erase',
    provider,
    asyncRoute(async (req, res) => {
      res.json({ erased: true, ...(await eraseCustomer(ctx, keys, customerId(req.params.customerId))) });
    }),
  );

  // Temporal's remote codec protocol: { payloads: [{ metadata: { k: base64 }, data: base64 }] } both ways.
  const uiOrigin = new URL(ctx.config.TEMPORAL_UI_URL).origin;
  const codec = new ClientEncryptionCodec(keys, 'placeholder');
  r.use('/codec', (req, res, next) => {
    res.set({
      'Access-Control-Allow-Origin': uiOrigin,
      'Access-Control-Allow-Credentials': 'true',
      'Access-Control-Allow-Headers': 'Content-Type, Authorization, X-Namespace',
      'Access-Control-Allow-Methods': 'POST, OPTIONS',
      Vary: 'Origin',
    });
    if (req.method === 'OPTIONS') {
      res.sendStatus(204);
      return;
    }
    next();
  });
  const payloadsOf = (body: unknown) =>
    parse(
      z.object({
        payloads: z.array(z.object({ metadata: z.record(z.string(), z.string()).optional(), data: z.string().optional() })).max(1000),
      }),
      body,
    ).payloads.map((p) => ({
      metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
      data: Buffer.from(p.data ?? '', 'base64'),
    }));
  const answer = (payloads: Array<{ metadata?: Record<string, Uint8Array> | null; data?: Uint8Array | null }>) => ({
    payloads: payloads.map((p) => ({
      metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
      data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
    })),
  });
  r.post(
    '/codec/decode',
    provider,
    asyncRoute(async (req, res) => {
      res.json(answer(await codec.decode(payloadsOf(req.body))));
    }),
  );
  r.post(
    '/codec/encode',
    provider,
    asyncRoute(async (req, res) => {
      // The UI encodes signal and query arguments; without a workflow context they go as they are.
      res.json(answer(payloadsOf(req.body)));
    }),
  );
  return r;
}
