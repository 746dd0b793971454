// The whole product in one test file: the gateway app (no listener; supertest or a real port), a worker with the
// real activities on the Temporal dev server, a database of its own, an SMTP sink, stripe-mock.
import crypto from 'node:crypto';
import type { Server } from 'node:http';
import type { Client } from '@temporalio/client';
import type Stripe from 'stripe';
import { createApp } from '../../src/gateway/app';
import type { RateLimits } from '../../src/gateway/context';
import { loadConfig, loadGatewayConfig, SAMPLE_SELLER_ENV } from '../../src/infra/config';
import { createMailer } from '../../src/infra/mailer';
import { hashPassword } from '../../src/infra/passwords';
import type { SmtpSink } from '../../src/infra/smtp-sink';
import { createActivities } from '../../src/activities';
import { ClientEncryptionCodec, ClientKeyStore } from '../../src/infra/codec';
import { DEFAULT_CATALOG } from '../../src/shared/catalog';
import { DEFAULT_SETTINGS, type PackSettings } from '../../src/shared/policy';
import { documentSellerOf } from '../../src/infra/settings';
import type { ZoomConfig } from '../../src/infra/zoom';
import { OPEN_ALL_THE_TIME } from './packs';
import { freePort } from '../../scripts/lib/local-stack';
import {
  createTestDatabase,
  devServerClient,
  startDevWorker,
  startSmtpSink,
  stripeApiUrl,
  testStripe,
  type RunningWorker,
  type TestDatabase,
} from './stack';

export const PROVIDER_TOKEN = 'provider-token-for-tests-0123456789';
export const PROVIDER_PASSWORD = 'mot de passe du prestataire';
export const WEBHOOK_SECRET = 'whsec_test_imaginasite_webhooks';

export interface GatewayWorld {
  app: ReturnType<typeof createApp>;
  db: TestDatabase;
  sink: SmtpSink;
  client: Client;
  worker: RunningWorker;
  stripe: Stripe;
  baseUrl: string;
  /** A Stripe event, signed as Stripe signs them. */
  signed(event: object, opts?: { secret?: string; timestamp?: number }): { payload: string; header: string };
  listen(): Promise<string>;
  teardown(): Promise<void>;
}

export async function createGatewayWorld(
  opts: {
    rateLimits?: Partial<RateLimits>;
    encrypted?: boolean;
    /**
     * Configuration over the test's (`{ SELLER_VAT: 'FR…', VAT_RATE: '20' }` for a seller charging VAT,
     * `{ PORTAL_LINK_TTL_DAYS: '3' }`…).
     */
    env?: Record<string, string>;
    /** The settings packs are sold under (`{ withdrawalAfterStart: 'prorata' }`…). */
    packSettings?: Partial<PackSettings>;
    /** Zoom's API for the worker (a meeting per session): the test's fake of it. */
    zoom?: ZoomConfig;
  } = {},
): Promise<GatewayWorld> {
  const [db, sink] = await Promise.all([createTestDatabase(), startSmtpSink()]);
  // As in production (src/worker/main.ts, src/gateway/main.ts): payloads encrypted with the clients' keys.
  const dataConverter = opts.encrypted ? { payloadCodecs: [new ClientEncryptionCodec(new ClientKeyStore(db.prisma))] } : undefined;
  const client = await devServerClient(dataConverter);
  const stripe = testStripe();
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const secret = crypto.randomBytes(32).toString('base64url');
  const env = {
    ...SAMPLE_SELLER_ENV,
    ...opts.env,
    DATABASE_URL: db.url,
    STRIPE_SECRET_KEY: 'sk_test_imaginasite',
    STRIPE_API_URL: stripeApiUrl(),
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    PROVIDER_API_TOKEN: PROVIDER_TOKEN,
    ACCESS_TOKEN_SECRET: secret,
    SMTP_URL: sink.url,
    PUBLIC_URL: opts.env?.PUBLIC_URL ?? baseUrl,
  };
  const settings = {
    publicUrl: baseUrl,
    providerEmail: 'prestataire@imaginasite.test',
    accessTokenSecret: secret,
    zoomUrl: 'https://zoom.us/j/123456789',
    // The worker names the same seller as the gateway (both from the configuration, as in production).
    seller: documentSellerOf(loadConfig(env)),
    ...(opts.zoom ? { zoom: opts.zoom } : {}),
  };
  const worker = await startDevWorker(
    createActivities({ prisma: db.prisma, mailer: createMailer(sink.url), stripe, settings }),
    undefined,
    dataConverter,
  );
  await db.prisma.availability.create({ data: { id: 1, ...OPEN_ALL_THE_TIME } });
  const config = loadGatewayConfig({
    ...env,
    // Lighter scrypt parameters than production's (the hash carries them): tests sign in often.
    PROVIDER_PASSWORD_HASH: hashPassword(PROVIDER_PASSWORD, { N: 2 ** 14, r: 8, p: 1 }),
    TEMPORAL_TASK_QUEUE: worker.taskQueue,
  });
  const app = createApp({
    client,
    prisma: db.prisma,
    mailer: createMailer(sink.url),
    stripe,
    config,
    catalog: DEFAULT_CATALOG,
    settings: { ...DEFAULT_SETTINGS, ...opts.packSettings },
    rateLimits: {
      ordersPerMinute: 1000,
      invalidOrdersPerMinute: 1000,
      bookingsPerMinute: 1000,
      loginPerMinute: 1000,
      magicLinkPerMinute: 1000,
      ...opts.rateLimits,
    },
  });
  let server: Server | undefined;
  const world: GatewayWorld = {
    app,
    db,
    sink,
    client,
    worker,
    stripe,
    baseUrl,
    signed(event, o = {}) {
      const payload = JSON.stringify(event);
      return {
        payload,
        header: stripe.webhooks.generateTestHeaderString({ payload, secret: o.secret ?? WEBHOOK_SECRET, timestamp: o.timestamp }),
      };
    },
    async listen() {
      server = app.listen(port, '127.0.0.1');
      await new Promise((r) => server!.once('listening', r));
      return baseUrl;
    },
    async teardown() {
      await new Promise((r) => (server ? server.close(r) : r(undefined)));
      await worker.stop();
      await client.connection.close();
      await sink.stop();
      await db.drop();
    },
  };
  return world;
}

/**
 * A `checkout.session.completed` event as Stripe sends it for a paid order, through `sessionId` (the gateway pays a
 * pack only through a Checkout session it made for it: `checkoutSessionOf`). Without one, a session of nobody's.
 */
export function checkoutCompleted(
  packId: string,
  amountCents: number,
  o: { paymentIntent?: string; id?: string; created?: number; sessionId?: string | null } = {},
) {
  return {
    id: o.id ?? `evt_${crypto.randomBytes(8).toString('hex')}`,
    object: 'event',
    type: 'checkout.session.completed',
    created: o.created ?? Math.floor(Date.now() / 1000),
    api_version: '2025-09-30.clover',
    data: {
      object: {
        id: o.sessionId ?? `cs_test_${crypto.randomBytes(6).toString('hex')}`,
        object: 'checkout.session',
        mode: 'payment',
        client_reference_id: packId,
        metadata: { orderId: packId },
        payment_status: 'paid',
        status: 'complete',
        amount_total: amountCents,
        currency: 'eur',
        payment_intent: o.paymentIntent ?? `pi_${crypto.randomBytes(8).toString('hex')}`,
      },
    },
  };
}

/** The Checkout session the gateway made for a card order (what Stripe's events name). */
export async function checkoutSessionOf(w: GatewayWorld, packId: string): Promise<string> {
  const { checkoutSessionId } = await w.db.prisma.pack.findUniqueOrThrow({ where: { id: packId } });
  if (!checkoutSessionId) throw new Error(`pack ${packId} has no Checkout session (a card order makes one)`);
  return checkoutSessionId;
}
