/** Everything a request handler may use, built once per gateway process (tests build their own). */
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import type { Client } from '@temporalio/client';
import type Stripe from 'stripe';
import { ClientKeyStore } from '../infra/codec';
import { sellerOf, type GatewayConfigValues } from '../infra/config';
import { poolOf, type PrismaClient } from '../infra/database';
import type { Mailer } from '../infra/mailer';
import type { PackCode, PackOffer } from '../shared/catalog';
import type { PackSettings } from '../shared/policy';
import type { Seller } from '../shared/seller';
import { fillSellerInCgv } from '../documents';
import { createGatewayData, type GatewayData } from './data';
import { createLimits, type Limits, type RateLimits } from './http/limits';
import type { OrderDeps } from './orders';
import { PackService } from './packs';
import { createLogger } from '../infra/log';

const log = createLogger('gateway');

export type { RateLimits };

export type GatewayConfig = Pick<
  GatewayConfigValues,
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
  | 'STRIPE_SECRET_KEY'
  | 'MAIL_FROM'
  | 'ZOOM_MEETING_URL'
  | 'PROVIDER_EMAIL'
  | 'PORTAL_LINK_TTL_DAYS'
  | 'TRUST_PROXY'
  | 'SELLER_NAME'
  | 'SELLER_ADDRESS'
  | 'SELLER_SIRET'
  | 'SELLER_VAT'
  | 'VAT_RATE'
  | 'SELLER_EMAIL'
  | 'SELLER_PHONE'
  | 'HOST_NAME'
  | 'HOST_ADDRESS'
  | 'MEDIATOR_NAME'
  | 'MEDIATOR_URL'
>;

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

/**
 * The terms of sale the client accepts: the seed's text with the seller filled in where it leaves a blank (« le
 * prestataire, M. , propose… »), and its version (a hash of that exact text), stored with each consent.
 */
export function loadCgv(seller: Seller): { text: string; version: string } {
  const text = fillSellerInCgv(fs.readFileSync(path.join(__dirname, '../../content/cgv.fr.txt'), 'utf8'), seller);
  return { text, version: crypto.createHash('sha256').update(text).digest('hex').slice(0, 16) };
}

export interface GatewayContext extends GatewayDeps {
  /** Every read and write of PostgreSQL the gateway makes. */
  data: GatewayData;
  /** The packs' workflows: live state, messages, free slots. */
  packs: PackService;
  /** The clients' payload keys in PostgreSQL (erasure destroys them). */
  keys: ClientKeyStore;
  /** The site's public address (links in emails, Stripe's return pages). */
  publicUrl: string;
  /** The business's time zone: every date a page shows. */
  zone: string;
  /** The portal link sent by email stays valid this long. */
  portalLinkTtlSeconds: number;
  /** Local runs only (stripe-mock): card payments go through a simulated Checkout page. */
  simulatedCheckout: boolean;
  /** Who sells: legal pages, CGV, contract documents, invoices. */
  seller: Seller;
  cgv: { text: string; version: string };
  limits: Limits;
  /** What placing an order needs (the API and the order form alike). */
  orderDeps: OrderDeps;
}

export function createContext(deps: GatewayDeps): GatewayContext {
  const data = createGatewayData(poolOf(deps.prisma));
  const seller = sellerOf(deps.config);
  const cgv = loadCgv(seller);
  // The version the site shows is kept whole from now on; an order keeps it too, should this first write fail.
  data.keepCgvVersion(cgv.version, cgv.text).catch((err: Error) => log.warn('could not keep the CGV version yet', { error: err.message }));
  return {
    ...deps,
    data,
    packs: new PackService({ client: deps.client, data, freeCancellationNoticeMs: deps.settings.freeCancellationNoticeMs }),
    keys: new ClientKeyStore(deps.prisma),
    publicUrl: deps.config.PUBLIC_URL,
    zone: deps.config.BUSINESS_TIMEZONE,
    portalLinkTtlSeconds: deps.config.PORTAL_LINK_TTL_DAYS * 86_400,
    simulatedCheckout: Boolean(deps.config.STRIPE_API_URL) && deps.config.STRIPE_SECRET_KEY.startsWith('sk_test_'),
    seller,
    cgv,
    limits: createLimits(deps.rateLimits, poolOf(deps.prisma)),
    orderDeps: {
      client: deps.client,
      prisma: deps.prisma,
      taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
      catalog: deps.catalog,
      settings: deps.settings,
      cgvVersion: cgv.version,
      cgvText: cgv.text,
    },
  };
}
