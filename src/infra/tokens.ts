import crypto from 'node:crypto';

/**
 * Signed, expiring tokens that open one pack's portal (the order response's access token and the emailed magic
 * link). `<payload>.<signature>`, base64url, HMAC-SHA256 with ACCESS_TOKEN_SECRET. Nothing is stored: a token
 * is valid while its signature checks and it has not expired.
 */
export interface PackToken {
  packId: string;
  /** Expiry, epoch seconds. */
  exp: number;
}

export function signPackToken(secret: string, packId: string, ttlSeconds: number, nowMs = Date.now()): string {
  const payload = Buffer.from(JSON.stringify({ p: packId, e: Math.floor(nowMs / 1000) + ttlSeconds })).toString('base64url');
  const sig = crypto.createHmac('sha256', secret).update(payload).digest('base64url');
  return `${payload}.${sig}`;
}

export function verifyPackToken(secret: string, token: string, nowMs = Date.now()): PackToken | null {
  const [payload, sig, extra] = token.split('.');
  if (!payload || !sig || extra !== undefined) return null;
  const expected = crypto.createHmac('sha256', secret).update(payload).digest();
  const given = Buffer.from(sig, 'base64url');
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return null;
  try {
    const { p, e } = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { p: unknown; e: unknown };
    if (typeof p !== 'string' || typeof e !== 'number' || e * 1000 <= nowMs) return null;
    return { packId: p, exp: e };
  } catch {
    return null;
  }
}
