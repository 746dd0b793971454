/**
 * Who may call the JSON API: a client holds a signed, expiring token for one pack (`Authorization: Bearer`); the
 * provider holds PROVIDER_API_TOKEN, or a dashboard session (with its CSRF token on any change).
 */
import type { Request, RequestHandler } from 'express';
import { verifyPackToken, type PackToken } from '../../infra/tokens';
import { ApiError } from './errors';
import { hasValidCsrf, isAdmin, safeEqual } from './session';

declare module 'express-serve-static-core' {
  interface Request {
    packId?: string;
    packToken?: string;
    provider?: { via: 'token' | 'session' };
  }
}

const bearer = (req: Request) => /^Bearer (\S+)$/.exec(req.get('authorization') ?? '')?.[1];

/**
 * The client API: the pack named in the path must be the token's pack. A token for another pack answers 404, so a
 * token never reveals whether some other pack exists.
 */
/** A pack token's claim when it is valid and was not revoked (tokens are signed, not stored: see src/infra/tokens.ts). */
export async function livePackToken(
  secret: string,
  token: string,
  revokedAt: (packId: string) => Promise<Date | null | undefined>,
): Promise<PackToken | null> {
  const claim = verifyPackToken(secret, token);
  if (!claim || !/^[0-9a-f-]{36}$/i.test(claim.packId)) return claim;
  const revoked = await revokedAt(claim.packId);
  return revoked && claim.iat * 1000 <= revoked.getTime() ? null : claim;
}

export function requirePackToken(secret: string, revokedAt: (packId: string) => Promise<Date | null | undefined>): RequestHandler {
  return async (req, _res, next) => {
    const token = bearer(req);
    const claim = token ? await livePackToken(secret, token, revokedAt) : null;
    if (!claim) return next(new ApiError(401, 'UNAUTHORIZED', 'Lien ou jeton d’accès invalide ou expiré.'));
    if (req.params.packId && req.params.packId !== claim.packId) return next(new ApiError(404, 'NOT_FOUND', 'Pack introuvable.'));
    req.packId = claim.packId;
    req.packToken = token;
    next();
  };
}

/** Whether the request comes from the provider: their API token, or a signed-in dashboard session. */
export const isProvider = (req: Request, apiToken: string): boolean => {
  const token = bearer(req);
  return (token !== undefined && safeEqual(token, apiToken)) || isAdmin(req);
};

/** The admin API: the provider's bearer token, or a dashboard session (with its CSRF token on any change). */
export function requireProvider(apiToken: string): RequestHandler {
  return (req, _res, next) => {
    const token = bearer(req);
    if (token && safeEqual(token, apiToken)) {
      req.provider = { via: 'token' };
      return next();
    }
    if (isAdmin(req)) {
      if (req.method !== 'GET' && req.method !== 'HEAD' && !hasValidCsrf(req)) {
        return next(new ApiError(403, 'CSRF_FAILED', 'Jeton CSRF manquant ou invalide.'));
      }
      req.provider = { via: 'session' };
      return next();
    }
    next(new ApiError(401, 'UNAUTHORIZED', 'Authentification requise.'));
  };
}
