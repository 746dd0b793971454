/** Everything a request handler may use, built once per gateway process (tests build their own). */
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import type Stripe from 'stripe';
import type { Config } from '../infra/config';
import type { PrismaClient } from '../infra/database';
import type { Mailer } from '../infra/mailer';
import type { PackCode, PackOffer } from '../shared/catalog';
import type { Availability, PackSettings } from '../shared/policy';
import type { OrderDeps } from './orders';
import { PackService } from './packs';
import { ClientKeyStore } from '../infra/codec';

export type GatewayConfig = Pick<
  Config,
  | 'PROVIDER_API_TOKEN'
  | 'TEMPORAL_TASK_QUEUE'
  | 'TEMPORAL_NAMESPACE'
  | 'TEMPORAL_UI_URL'
  | 'ACCESS_TOKEN_SECRET'
  | 'PUBLIC_URL'
  | 'STRIPE_WEBHOOK_SECRET'
  | 'BANK_IBAN'
  | 'BANK_BIC'
  | 'BANK_ACCOUNT_HOLDER'
  | 'PROVIDER_PASSWORD_HASH'
  | 'BUSINESS_TIMEZONE'
  | 'STRIPE_API_URL'
  | 'MAIL_FROM'
  | 'ZOOM_MEETING_URL'
  | 'PROVIDER_EMAIL'
>;

export interface RateLimits {
  ordersPerMinute: number;
  bookingsPerMinute: number;
  loginPerMinute: number;
  magicLinkPerMinute: number;
}

export const DEFAULT_RATE_LIMITS: RateLimits = { ordersPerMinute: 10, bookingsPerMinute: 30, loginPerMinute: 10, magicLinkPerMinute: 5 };

export interface GatewayDeps {
  client: Client;
  prisma: PrismaClient;
  mailer: Mailer;
  stripe: Stripe;
  config: GatewayConfig;
  catalog: Record<PackCode, PackOffer>;
  settings: PackSettings;
  rateLimits?: Partial<RateLimits>;
}

/** The terms of sale the client accepts, and their version (a hash of the text), stored with each consent. */
export function loadCgv(): { text: string; version: string } {
  const text = fs.readFileSync(path.join(__dirname, '../../content/cgv.fr.txt'), 'utf8');
  return { text, version: crypto.createHash('sha256').update(text).digest('hex').slice(0, 16) };
}

export interface GatewayContext extends GatewayDeps {
  packs: PackService;
  /** The clients' payload keys in PostgreSQL (erasure destroys them). */
  keys: ClientKeyStore;
  publicUrl: string;
  simulatedCheckout: boolean;
  cgv: { text: string; version: string };
  limits: { orders: RequestHandler; bookings: RequestHandler; login: RequestHandler; magicLink: RequestHandler };
  orderDeps(): OrderDeps;
  listPacks(q: { status?: string; expiringWithinDays?: number }): Promise<unknown[]>;
  saveAvailability(a: Availability): Promise<void>;
}

function limiter(perMinute: number): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (req, res) => {
      const message = 'Trop de demandes : réessayez dans une minute.';
      if (req.accepts(['json', 'html']) === 'html' && !req.path.startsWith('/api/'))
        res
          .status(429)
          .type('html')
          .send(`<!doctype html><html lang="fr"><meta charset="utf-8"><title>Trop de demandes</title><p>${message}</p></html>`);
      else res.status(429).json({ error: { code: 'RATE_LIMITED', message } });
    },
  });
}

export function createContext(deps: GatewayDeps): GatewayContext {
  const limits = { ...DEFAULT_RATE_LIMITS, ...deps.rateLimits };
  const cgv = loadCgv();
  return {
    ...deps,
    publicUrl: deps.config.PUBLIC_URL,
    simulatedCheckout: Boolean(deps.config.STRIPE_API_URL),
    cgv,
    keys: new ClientKeyStore(deps.prisma),
    packs: new PackService({ client: deps.client, prisma: deps.prisma, freeCancellationNoticeMs: deps.settings.freeCancellationNoticeMs }),
    limits: {
      orders: limiter(limits.ordersPerMinute),
      bookings: limiter(limits.bookingsPerMinute),
      login: limiter(limits.loginPerMinute),
      magicLink: limiter(limits.magicLinkPerMinute),
    },
    orderDeps: () => ({
      client: deps.client,
      prisma: deps.prisma,
      taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
      catalog: deps.catalog,
      settings: deps.settings,
      cgvVersion: cgv.version,
    }),
    async listPacks(q) {
      const soon = q.expiringWithinDays ? new Date(Date.now() + q.expiringWithinDays * 86_400_000) : undefined;
      const rows = await deps.prisma.pack.findMany({
        where: {
          ...(q.status ? { status: q.status } : {}),
          ...(soon ? { status: 'ACTIVE', expiresAt: { lte: soon } } : {}),
        },
        include: { customer: true },
        orderBy: { orderedAt: 'desc' },
        take: 500,
      });
      return rows.map((p) => ({
        packId: p.id,
        packCode: p.packCode,
        status: p.status,
        customer: { name: p.customer.name, email: p.customer.email },
        orderedAt: p.orderedAt.toISOString(),
        paidAt: p.paidAt?.toISOString() ?? null,
        expiresAt: p.expiresAt?.toISOString() ?? null,
        priceCents: p.priceCents,
        paymentMethod: p.paymentMethod,
        bankReference: p.bankReference,
        hours: {
          total: p.totalHours,
          used: p.hoursUsed,
          forfeited: p.hoursForfeited,
          reserved: p.hoursReserved,
          available: p.hoursAvailable,
        },
      }));
    },
    async saveAvailability(a) {
      const data = {
        timezone: a.timezone,
        weekly: a.weekly,
        exceptions: a.exceptions,
        minNoticeHours: a.minNoticeHours,
        bufferMinutes: a.bufferMinutes,
        autoConfirm: a.autoConfirm,
      };
      await deps.prisma.availability.upsert({ where: { id: 1 }, create: { id: 1, ...data }, update: data });
    },
  };
}
