import path from 'node:path';
import express, { type RequestHandler } from 'express';
import helmet from 'helmet';
import { adminApiRouter } from './api/admin';
import { calendarRouter } from './calendar/router';
import { clientApiRouter } from './api/client';
import { codecRouter } from './api/codec';
import { createContext, type GatewayContext, type GatewayDeps } from './context';
import { agendaRouter } from './dashboard/agenda-router';
import { dashboardRouter } from './dashboard/router';
import { createHealthCheck } from './health';
import { isProvider } from './http/auth';
import { errorHandler, notFound } from './http/errors';
import { passwordFingerprint, sessionMiddleware } from './http/session';
import { orderRouter } from './order/router';
import { portalRouter } from './portal/router';
import { simulatedCheckoutRouter } from './simulated-checkout';
import { siteRouter } from './site/router';
import { stripeWebhookRouter } from './webhooks';

export type AppDeps = GatewayDeps;

/**
 * Pages live on PUBLIC_URL's host only: the Content-Security-Policy lets a form post to this origin and Stripe, and
 * the session cookie belongs to one host, so a page opened from another name (127.0.0.1 for localhost, a bare
 * domain for www…) is sent to the public address before its form is shown. The API, webhooks and health answer on
 * any host.
 */
function canonicalHost(publicUrl: string): RequestHandler {
  const canonical = new URL(publicUrl);
  const anyHost = /^\/(api|webhooks|codec|health|static)(\/|$)/;
  return (req, res, next) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || req.hostname === canonical.hostname || anyHost.test(req.path)) return next();
    res.redirect(308, new URL(req.originalUrl, canonical.origin).toString());
  };
}

/** Builds the gateway without listening, so tests drive it with supertest. */
export function createApp(deps: AppDeps): express.Express & { ctx: GatewayContext } {
  const ctx = createContext(deps);
  const app = express();
  app.disable('x-powered-by');
  // Provider sessions name the password they were opened under: a new PROVIDER_PASSWORD_HASH ends the others.
  app.locals.adminPassword = passwordFingerprint(deps.config.PROVIDER_PASSWORD_HASH);
  if (deps.config.TRUST_PROXY) app.set('trust proxy', deps.config.TRUST_PROXY);
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
  app.use(canonicalHost(deps.config.PUBLIC_URL));
  app.use('/static', express.static(path.join(__dirname, 'static'), { maxAge: '1h', index: false }));
  // Stripe's webhook needs the raw body: mounted before the body parsers.
  app.use(stripeWebhookRouter(ctx));
  app.use(express.json({ limit: '32kb' }));
  app.use(express.urlencoded({ extended: false, limit: '32kb', parameterLimit: 100 }));

  app.use(
    sessionMiddleware({
      pool: ctx.data.pool,
      secret: deps.config.ACCESS_TOKEN_SECRET,
      portalTtlMs: ctx.portalLinkTtlSeconds * 1000,
      https: deps.config.PUBLIC_URL.startsWith('https://'),
    }),
  );
  // Public and cheap: the status for anyone (a load balancer), the checks for the provider; the answer is cached.
  const health = createHealthCheck(ctx);
  app.get('/health', async (req, res) => {
    const h = await health();
    res.status(h.ok ? 200 : 503).set('Cache-Control', 'no-store');
    res.json({ status: h.ok ? 'ok' : 'degraded', ...(isProvider(req, ctx.config.PROVIDER_API_TOKEN) ? { checks: h.checks } : {}) });
  });
  app.use(clientApiRouter(ctx));
  app.use(adminApiRouter(ctx));
  app.use(calendarRouter(ctx));
  app.use(codecRouter(ctx));
  app.use(siteRouter(ctx));
  app.use(orderRouter(ctx));
  app.use(portalRouter(ctx));
  app.use(dashboardRouter(ctx));
  app.use(agendaRouter(ctx));
  if (ctx.simulatedCheckout) app.use(simulatedCheckoutRouter(ctx));
  app.use(notFound);
  app.use(errorHandler);
  return Object.assign(app, { ctx });
}
