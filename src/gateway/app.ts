import express from 'express';
import helmet from 'helmet';
import { apiRouter } from './api';
import { createContext, type GatewayContext, type GatewayDeps } from './context';
import { errorHandler, notFound } from './errors';
import { checkHealth } from './health';
import { pagesRouter } from './pages';
import { personalDataRouter } from './personal-data';
import { simulatedCheckoutRouter } from './simulated-checkout';
import { stripeWebhookRouter } from './webhooks';

export type AppDeps = GatewayDeps;

/** Builds the gateway without listening, so tests drive it with supertest. */
export function createApp(deps: AppDeps): express.Express & { ctx: GatewayContext } {
  const ctx = createContext(deps);
  const app = express();
  app.disable('x-powered-by');
  if (process.env.TRUST_PROXY) app.set('trust proxy', process.env.TRUST_PROXY);
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          'default-src': ["'self'"],
          'script-src': ["'none'"],
          'style-src': ["'self'"],
          'img-src': ["'self'", 'data:'],
          'font-src': ["'self'"],
          'connect-src': ["'self'"],
          'form-action': ["'self'", 'https://checkout.stripe.com'],
          'frame-ancestors': ["'none'"],
          'base-uri': ["'none'"],
          'object-src': ["'none'"],
        },
      },
      strictTransportSecurity: deps.config.PUBLIC_URL.startsWith('https:'),
    }),
  );
  // Stripe's webhook needs the raw body: mounted before the body parsers.
  app.use(stripeWebhookRouter(ctx));
  app.use(express.json({ limit: '32kb' }));
  app.use(express.urlencoded({ extended: false, limit: '32kb', parameterLimit: 100 }));

  app.get('/health', (_req, res, next) => {
    checkHealth(deps)
      .then((health) => res.status(health.ok ? 200 : 503).json({ status: health.ok ? 'ok' : 'degraded', ...health }))
      .catch(next);
  });
  app.use(apiRouter(ctx));
  app.use(personalDataRouter(ctx, ctx.keys));
  app.use(pagesRouter(ctx));
  if (ctx.simulatedCheckout) app.use(simulatedCheckoutRouter(ctx));
  app.use(notFound);
  app.use(errorHandler);
  return Object.assign(app, { ctx });
}
