/**
 * Rate limits per client address (429 RATE_LIMITED beyond), for the requests that cost the most or can be abused.
 * The counts live in PostgreSQL, so every gateway in front of the same database counts the same hits: two gateways
 * allow what one does, not twice as much.
 */
import type { Request, RequestHandler, Response } from 'express';
import { rateLimit, type IncrementResponse, type Options, type Store } from 'express-rate-limit';
import type pg from 'pg';
import { RateLimiterPostgres } from 'rate-limiter-flexible';
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

/**
 * express-rate-limit's counter in PostgreSQL: rate-limiter-flexible's atomic upsert on `rate_limit.hits` (made by a
 * migration, not at run time), one row per limiter and address, started again when its window has passed. Why not
 * @acpr/rate-limit-postgresql, the store named for express-rate-limit: it runs its own migrations from its constructor
 * with nothing awaiting them (a database down at start-up is an unhandled rejection), opens a pool per limiter, locks a
 * whole table on every hit and shares one window among all the addresses of a limiter.
 */
class PostgresStore implements Store {
  readonly localKeys = false;
  private counter: RateLimiterPostgres | undefined;

  constructor(
    private readonly pool: pg.Pool,
    /** One limiter's rows among the others' (express-rate-limit also checks that no two limiters share one). */
    readonly prefix: string,
  ) {}

  init(options: Options): void {
    this.counter = new RateLimiterPostgres({
      storeClient: this.pool,
      storeType: 'pool',
      schemaName: 'rate_limit',
      tableName: 'hits',
      tableCreated: true,
      keyPrefix: this.prefix,
      duration: options.windowMs / 1000,
      points: Number.MAX_SAFE_INTEGER, // never its refusal: express-rate-limit compares the count with its own limit
    });
  }

  private get rows(): RateLimiterPostgres {
    if (!this.counter) throw new Error('the rate-limit store was used before express-rate-limit initialised it');
    return this.counter;
  }

  async increment(key: string): Promise<IncrementResponse> {
    // A penalty adds a hit and never refuses.
    const hit = await this.rows.penalty(key, 1);
    return { totalHits: hit.consumedPoints, resetTime: new Date(Date.now() + Math.max(0, hit.msBeforeNext)) };
  }

  async decrement(key: string): Promise<void> {
    await this.rows.reward(key, 1);
  }

  async resetKey(key: string): Promise<void> {
    await this.rows.delete(key);
  }
}

/** Counts only the requests `counts` says (all by default), in PostgreSQL under `name` when there is a pool. */
function limiter(name: string, perMinute: number, pool: pg.Pool | undefined, counts?: (res: Response) => boolean): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    ...(pool ? { store: new PostgresStore(pool, name) } : {}),
    // PostgreSQL unreachable: the request goes on uncounted rather than failing on its counter (whatever it needs of
    // the database then answers for itself, with the usual 503).
    passOnStoreError: true,
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

/**
 * The limits of one gateway. With `pool` (the gateway's PostgreSQL pool, as the app passes it) the counts are shared
 * by every gateway on that database; without it they stay in this process's memory.
 */
export function createLimits(overrides: Partial<RateLimits> = {}, pool?: pg.Pool): Limits {
  const l = { ...DEFAULT_RATE_LIMITS, ...overrides };
  return {
    orders: chain(
      limiter('orders', l.ordersPerMinute, pool, (res) => res.locals.orderCreated === true),
      limiter('refused-orders', l.invalidOrdersPerMinute, pool, (res) => res.statusCode >= 400 && res.statusCode !== 429),
    ),
    bookings: limiter('bookings', l.bookingsPerMinute, pool),
    login: limiter('login', l.loginPerMinute, pool),
    magicLink: limiter('magic-link', l.magicLinkPerMinute, pool),
  };
}
