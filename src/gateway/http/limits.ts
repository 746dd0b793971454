/** Rate limits per client address (429 RATE_LIMITED beyond), for the requests that cost the most or can be abused. */
import type { Request, RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import { sendPage } from '../views/render';
import { ErrorPage } from '../views/errors';

export interface RateLimits {
  ordersPerMinute: number;
  bookingsPerMinute: number;
  loginPerMinute: number;
  magicLinkPerMinute: number;
}

export const DEFAULT_RATE_LIMITS: RateLimits = { ordersPerMinute: 10, bookingsPerMinute: 30, loginPerMinute: 10, magicLinkPerMinute: 5 };

const MESSAGE = 'Trop de demandes : réessayez dans une minute.';

function limiter(perMinute: number): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (req: Request, res) => {
      if (req.accepts(['json', 'html']) === 'html' && !req.path.startsWith('/api/'))
        sendPage(res, ErrorPage({ status: 429, message: MESSAGE }), 429);
      else res.status(429).json({ error: { code: 'RATE_LIMITED', message: MESSAGE } });
    },
  });
}

export type Limits = Record<'orders' | 'bookings' | 'login' | 'magicLink', RequestHandler>;

export function createLimits(overrides: Partial<RateLimits> = {}): Limits {
  const l = { ...DEFAULT_RATE_LIMITS, ...overrides };
  return {
    orders: limiter(l.ordersPerMinute),
    bookings: limiter(l.bookingsPerMinute),
    login: limiter(l.loginPerMinute),
    magicLink: limiter(l.magicLinkPerMinute),
  };
}
