/**
 * Who may do what: a client holds a signed, expiring token for one pack (Bearer on the API, a cookie in the
 * portal); the provider holds PROVIDER_API_TOKEN (API) or a dashboard session (signed cookie, CSRF token per session).
 */
import crypto from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { verifyPackToken } from '../infra/tokens';
import { ApiError } from './errors';

export const PACK_COOKIE = 'imaginasite_pack';
export const ADMIN_COOKIE = 'imaginasite_admin';

declare module 'express-serve-static-core' {
  interface Request {
    packId?: string;
    packToken?: string;
    provider?: { via: 'token' | 'session'; csrf?: string };
  }
}

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

export function readCookie(req: Request, name: string): string | undefined {
  const header = req.get('cookie');
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

export function setCookie(res: Response, req: Request, name: string, value: string, maxAgeSeconds: number): void {
  const secure = req.secure ? '; Secure' : '';
  res.append('Set-Cookie', `${name}=${encodeURIComponent(value)}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSeconds}${secure}`);
}

export function clearCookie(res: Response, name: string): void {
  res.append('Set-Cookie', `${name}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`);
}

const bearer = (req: Request) => /^Bearer (\S+)$/.exec(req.get('authorization') ?? '')?.[1];

/**
 * The client API: the pack named in the path must be the token's pack. A token for another pack answers 404, so a
 * token never reveals whether some other pack exists.
 */
export function requirePackToken(secret: string): RequestHandler {
  return (req, _res, next) => {
    const token = bearer(req);
    const claim = token ? verifyPackToken(secret, token) : null;
    if (!claim) return next(new ApiError(401, 'UNAUTHORIZED', 'Lien ou jeton d’accès invalide ou expiré.'));
    if (req.params.packId && req.params.packId !== claim.packId) return next(new ApiError(404, 'NOT_FOUND', 'Pack introuvable.'));
    req.packId = claim.packId;
    req.packToken = token;
    next();
  };
}

// ------------------------------------------------------------------------------------------- provider sessions

export function adminSessionValue(secret: string, ttlSeconds: number, nowMs = Date.now()): string {
  const payload = `${Math.floor(nowMs / 1000) + ttlSeconds}.${crypto.randomBytes(16).toString('base64url')}`;
  const sig = crypto.createHmac('sha256', subkey(secret, 'admin-session')).update(payload).digest('base64url');
  return `${payload}.${sig}`;
}

export function verifyAdminSession(secret: string, value: string | undefined, nowMs = Date.now()): { csrf: string } | null {
  if (!value) return null;
  const [exp, nonce, sig] = value.split('.');
  if (!exp || !nonce || !sig) return null;
  const expected = crypto.createHmac('sha256', subkey(secret, 'admin-session')).update(`${exp}.${nonce}`).digest('base64url');
  if (!safeEqual(sig, expected) || Number(exp) * 1000 <= nowMs) return null;
  return { csrf: crypto.createHmac('sha256', subkey(secret, 'admin-csrf')).update(nonce).digest('base64url') };
}

/** CSRF token of a client's portal session (its pack token). */
export function portalCsrf(secret: string, packToken: string): string {
  return crypto.createHmac('sha256', subkey(secret, 'portal-csrf')).update(packToken).digest('base64url');
}

/** The admin API: the provider's bearer token, or a dashboard session (with its CSRF token on any change). */
export function requireProvider(opts: { apiToken: string; secret: string }): RequestHandler {
  return (req, _res, next) => {
    const token = bearer(req);
    if (token && safeEqual(token, opts.apiToken)) {
      req.provider = { via: 'token' };
      return next();
    }
    const session = verifyAdminSession(opts.secret, readCookie(req, ADMIN_COOKIE));
    if (session) {
      if (req.method !== 'GET' && req.method !== 'HEAD' && !safeEqual(String(req.get('x-csrf-token') ?? ''), session.csrf)) {
        return next(new ApiError(403, 'CSRF_FAILED', 'Jeton CSRF manquant ou invalide.'));
      }
      req.provider = { via: 'session', csrf: session.csrf };
      return next();
    }
    next(new ApiError(401, 'UNAUTHORIZED', 'Authentification requise.'));
  };
}
