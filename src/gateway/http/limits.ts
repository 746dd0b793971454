/** Rate limits per client address (429 RATE_LIMITED beyond), for the requests that cost the most or can be abused. */
import type { Request, RequestHandler, Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import { sendPage } from '../views/render';
import { ErrorPage } from '../views/errors';

export interface RateLimits {
  /** Orders created per minute (a replay of the same order or a refused body does not count). */
  ordersPerMinute: number;
  /** Refused order bodies per minute: looser, it only keeps a script from hammering the validation. */
  invalidOrdersPerMinute: number;
  bookingsPerMinute: number;
  loginPerMinute: number;
  magicLinkPerMinute: number;
}

export const DEFAULT_RATE_LIMITS: RateLimits = {
  ordersPerMinute: 10,
  invalidOrdersPerMinute: 60,
  bookingsPerMinute: 30,
  loginPerMinute: 10,
  magicLinkPerMinute: 5,
};

const MESSAGE = 'Trop de demandes : réessayez dans une minute.';

/** Counts only the requests `counts` says (all by default). */
function limiter(perMinute: number, counts?: (res: Response) => boolean): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    ...(counts ? { skipFailedRequests: true, requestWasSuccessful: (_req: Request, res: Response) => counts(res) } : {}),
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

/** An order handler says it created an order (a replay of the same order key did not). */
export const markOrderCreated = (res: Response, created: boolean): void => {
  res.locals.orderCreated = created;
};

/** Two limiters as one middleware. */
function chain(a: RequestHandler, b: RequestHandler): RequestHandler {
  return (req, res, next) => void a(req, res, (err?: unknown) => (err ? next(err) : b(req, res, next)));
}

export function createLimits(overrides: Partial<RateLimits> = {}): Limits {
  const l = { ...DEFAULT_RATE_LIMITS, ...overrides };
  return {
    orders: chain(
      limiter(l.ordersPerMinute, (res) => res.locals.orderCreated === true),
      limiter(l.invalidOrdersPerMinute, (res) => res.statusCode >= 400 && res.statusCode !== 429),
    ),
    bookings: limiter(l.bookingsPerMinute),
    login: limiter(l.loginPerMinute),
    magicLink: limiter(l.magicLinkPerMinute),
  };
}
