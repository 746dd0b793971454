/**
 * Browser sessions of the portal and the dashboard: express-session with its PostgreSQL store (connect-pg-simple),
 * so any gateway serves any session and ending one on the server ends it; CSRF tokens are csrf-sync's synchroniser
 * tokens, kept in the session; success messages travel in the session too (nobody can make the site display a
 * message of their own through a crafted link).
 */
import crypto from 'node:crypto';
import connectPgSimple from 'connect-pg-simple';
import { csrfSync } from 'csrf-sync';
import type { Request, RequestHandler, Response } from 'express';
import session from 'express-session';
import type { Pool } from 'pg';
import { ApiError } from './errors';

declare module 'express-session' {
  interface SessionData {
    /** The client's pack in the portal (from the magic link or the order) and its access token. */
    portal?: { packId: string; token: string };
    /**
     * A signed-in provider, until this instant (epoch ms), under this password (a fingerprint of PROVIDER_PASSWORD_HASH:
     * a new password ends every session signed in with the old one).
     */
    admin?: { until: number; password: string };
    flash?: { message: string; kind: 'ok' | 'error' | 'warning' };
  }
}

export const SESSION_COOKIE = 'imaginasite_session';
/** How long a provider stays signed in. */
export const ADMIN_SESSION_MS = 8 * 3600_000;

/** Keys for distinct purposes, derived from ACCESS_TOKEN_SECRET. */
export function subkey(secret: string, purpose: string): Buffer {
  return Buffer.from(crypto.hkdfSync('sha256', secret, 'imaginasite', purpose, 32));
}

/** Constant-time comparison of two secrets of any length. */
export function safeEqual(a: string, b: string): boolean {
  const ha = crypto.createHash('sha256').update(a).digest();
  const hb = crypto.createHash('sha256').update(b).digest();
  return crypto.timingSafeEqual(ha, hb);
}

export function sessionMiddleware(opts: { pool: Pool; secret: string; portalTtlMs: number; https: boolean }): RequestHandler {
  const PgStore = connectPgSimple(session);
  return session({
    name: SESSION_COOKIE,
    secret: subkey(opts.secret, 'session').toString('base64url'),
    store: new PgStore({ pool: opts.pool, tableName: 'http_session', pruneSessionInterval: 15 * 60 }),
    resave: false,
    saveUninitialized: false,
    // A site served over HTTPS (PUBLIC_URL) always sets Secure cookies, whatever reaches the gateway: the TLS proxy in
    // front says so (X-Forwarded-Proto, trusted through TRUST_PROXY, which the configuration then requires). Locally,
    // over plain HTTP, Secure when the request came over HTTPS.
    cookie: { httpOnly: true, sameSite: 'lax', secure: opts.https ? true : 'auto', path: '/', maxAge: opts.portalTtlMs },
  });
}

const csrf = csrfSync({
  getTokenFromRequest: (req) => {
    const fromForm = (req.body as Record<string, unknown> | undefined)?.csrf;
    return typeof fromForm === 'string' ? fromForm : req.get('x-csrf-token');
  },
});

/** The session's CSRF token (made on first use), for the forms of a page. */
export const csrfToken = (req: Request): string => csrf.generateToken(req);

/** Refuses a change (POST) that does not carry the session's CSRF token. */
export const requireCsrf: RequestHandler = csrf.csrfSynchronisedProtection;

/** Whether a request carries its session's CSRF token (for routes that also accept other credentials). */
export const hasValidCsrf = (req: Request): boolean => csrf.isRequestValid(req);

/**
 * A fresh session id on every sign-in (no fixation), then `fill` sets what it holds. `keepCsrf` carries the form's
 * CSRF token over, so that the same form posted again (a double click, a retry) is still accepted.
 */
export function startSession(req: Request, fill: (s: Request['session']) => void, maxAgeMs?: number, keepCsrf = false): Promise<void> {
  const csrfToken = keepCsrf ? req.session.csrfToken : undefined;
  return new Promise((resolve, reject) => {
    req.session.regenerate((err) => {
      if (err) return reject(err as Error);
      if (csrfToken) req.session.csrfToken = csrfToken;
      fill(req.session);
      if (maxAgeMs) req.session.cookie.maxAge = maxAgeMs;
      req.session.save((e) => (e ? reject(e as Error) : resolve()));
    });
  });
}

/** Ends the session on the server and in the browser. */
export function endSession(req: Request, res: Response): Promise<void> {
  return new Promise((resolve, reject) => {
    req.session.destroy((err) => {
      if (err) return reject(err as Error);
      res.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax' });
      resolve();
    });
  });
}

/**
 * Redirects after a change, with a message for the next page (303: the browser follows with a GET). The session is
 * saved before the redirect leaves: express-session would otherwise save it while the response's headers are already
 * out, and a browser following the redirect at once would read the session from before the message.
 */
export async function redirectWithFlash(
  req: Request,
  res: Response,
  url: string,
  message: string,
  kind: 'ok' | 'error' | 'warning' = 'ok',
) {
  req.session.flash = { message: message.slice(0, 1000), kind };
  await new Promise<void>((resolve, reject) => req.session.save((err) => (err ? reject(err as Error) : resolve())));
  res.redirect(303, url);
}

/** The message left by the previous page, once. */
export function takeFlash(req: Request): { message: string; kind: 'ok' | 'error' | 'warning' } | undefined {
  const f = req.session?.flash;
  if (f) delete req.session.flash;
  return f;
}

/** The pack of the portal's session; a page without one asks for a new link. */
export function portalOf(req: Request): { packId: string; token: string } {
  const p = req.session?.portal;
  if (!p) throw new ApiError(401, 'UNAUTHORIZED', 'Votre lien a expiré : demandez-en un nouveau depuis « Mon espace client ».');
  return p;
}

/** A fingerprint of the provider's password hash (never the hash itself) kept in their sessions. */
export const passwordFingerprint = (hash: string | undefined): string =>
  hash ? crypto.createHash('sha256').update(`admin-session|${hash}`).digest('base64url').slice(0, 22) : '';

/** Signs the provider in: a fresh session, for ADMIN_SESSION_MS, tied to the password in force. */
export const startAdminSession = (req: Request, passwordHash: string | undefined): Promise<void> =>
  startSession(
    req,
    (s) => (s.admin = { until: Date.now() + ADMIN_SESSION_MS, password: passwordFingerprint(passwordHash) }),
    ADMIN_SESSION_MS,
  );

/** Whether the request holds a live provider session (not expired, under the password in force). */
export const isAdmin = (req: Request, nowMs = Date.now()): boolean => {
  const a = req.session?.admin;
  return !!a && a.until > nowMs && a.password === (req.app.locals.adminPassword as string | undefined);
};

/** Pages that show a client's or the provider's data are never kept by a browser's or a proxy's cache. */
export const noStore: RequestHandler = (_req, res, next) => {
  res.set('Cache-Control', 'no-store');
  next();
};
