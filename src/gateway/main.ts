import { createApp } from './app';
import { loadGatewayConfig, ConfigError } from '../infra/config';
import { closePrisma, createPrisma } from '../infra/database';
import { createMailer } from '../infra/mailer';
import { loadPackSettings } from '../infra/settings';
import { createStripe } from '../infra/stripe';
import { createTemporalClient } from '../infra/temporal';
import { ClientEncryptionCodec, ClientKeyStore } from '../infra/codec';
import { catalogFromEnv } from '../shared/catalog';

async function main(): Promise<void> {
  const config = loadGatewayConfig();
  const settings = loadPackSettings();
  const catalog = catalogFromEnv(process.env);
  if (settings.validityOverrideMs) {
    console.warn(
      `[gateway] PACK_VALIDITY is set: packs sold now expire ${settings.validityOverrideMs / 60_000} minutes after payment, not after ${settings.validityMonths} months (benchmarks only)`,
    );
  }
  const prisma = createPrisma(config.DATABASE_URL);
  const client = await createTemporalClient(config, { payloadCodecs: [new ClientEncryptionCodec(new ClientKeyStore(prisma))] });
  const app = createApp({
    client,
    prisma,
    mailer: createMailer(config.SMTP_URL),
    stripe: createStripe(config.STRIPE_SECRET_KEY, config.STRIPE_API_URL),
    config,
    catalog,
    settings,
    rateLimits: {
      ordersPerMinute: config.RATE_LIMIT_ORDERS_PER_MINUTE,
      invalidOrdersPerMinute: config.RATE_LIMIT_INVALID_ORDERS_PER_MINUTE,
      bookingsPerMinute: config.RATE_LIMIT_BOOKINGS_PER_MINUTE,
    },
  });
  const server = app.listen(config.PORT, config.LISTEN_HOST, () => console.log(`[gateway] listening on ${config.PUBLIC_URL}`));
  const stop = () => {
    server.close(() => {
      void Promise.allSettled([client.connection.close(), closePrisma(prisma)]).then(() => process.exit(0));
    });
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err) => {
  console.error(err instanceof ConfigError || err instanceof Error ? `[gateway] ${err.message}` : err);
  process.exit(1);
});
