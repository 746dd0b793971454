import crypto from 'node:crypto';

/**
 * Signed, expiring tokens: `<payload>.<signature>`, base64url, HMAC-SHA256 with ACCESS_TOKEN_SECRET (a key of its own
 * per purpose but the pack's, which keeps the key its tokens were always signed with).
 *
 * A pack token opens one pack (the order response's access token, the emailed magic link). It carries when it was
 * issued, so that tokens issued before a revocation (erasure of the client) are refused (`pack.tokens_revoked_at`).
 */
export interface PackToken {
  packId: string;
  /** Expiry, epoch seconds. */
  exp: number;
  /** Issued at, epoch seconds (0 for tokens issued before this field existed). */
  iat: number;
}

const hmac = (key: string | Buffer, payload: string) => crypto.createHmac('sha256', key).update(payload).digest();

function sign(key: string | Buffer, claims: object): string {
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${payload}.${hmac(key, payload).toString('base64url')}`;
}

/** The token's claims when its signature holds, else null (expiry is the caller's to check). */
function open(key: string | Buffer, token: string): Record<string, unknown> | null {
  const [payload, sig, extra] = token.split('.');
  if (!payload || !sig || extra !== undefined) return null;
  const expected = hmac(key, payload);
  const given = Buffer.from(sig, 'base64url');
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return null;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return claims && typeof claims === 'object' ? (claims as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

const purposeKey = (secret: string, purpose: string) => Buffer.from(crypto.hkdfSync('sha256', secret, 'imaginasite-token', purpose, 32));

export function signPackToken(secret: string, packId: string, ttlSeconds: number, nowMs = Date.now()): string {
  const now = Math.floor(nowMs / 1000);
  return sign(secret, { p: packId, e: now + ttlSeconds, i: now });
}

export function verifyPackToken(secret: string, token: string, nowMs = Date.now()): PackToken | null {
  const c = open(secret, token);
  if (!c || typeof c.p !== 'string' || typeof c.e !== 'number' || c.e * 1000 <= nowMs) return null;
  return { packId: c.p, exp: c.e, iat: typeof c.i === 'number' ? c.i : 0 };
}

/** The link that confirms a client's new email address (RGPD art. 16: rectification), sent to that address. */
export function signEmailChange(secret: string, customerId: string, email: string, ttlSeconds: number, nowMs = Date.now()): string {
  return sign(purposeKey(secret, 'email-change'), { c: customerId, m: email, e: Math.floor(nowMs / 1000) + ttlSeconds });
}

export function verifyEmailChange(secret: string, token: string, nowMs = Date.now()): { customerId: string; email: string } | null {
  const c = open(purposeKey(secret, 'email-change'), token);
  if (!c || typeof c.c !== 'string' || typeof c.m !== 'string' || typeof c.e !== 'number' || c.e * 1000 <= nowMs) return null;
  return { customerId: c.c, email: c.m };
}
