import crypto from 'node:crypto';
import { promisify } from 'node:util';

/**
 * The provider's dashboard password, stored in PROVIDER_PASSWORD_HASH as `scrypt$<N>$<r>$<p>$<salt>$<hash>` (base64),
 * checked off the event loop (the async scrypt runs on libuv's thread pool). N = 2^17 with r = 8 costs about 128 MiB
 * and a few hundred milliseconds per check, as OWASP recommends for scrypt; the older `scrypt$<salt>$<hash>` form
 * (N = 2^14) is still read, and the start-up check says it should be renewed.
 */
const scrypt = promisify(crypto.scrypt) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: crypto.ScryptOptions,
) => Promise<Buffer>;

export const SCRYPT = { N: 2 ** 17, r: 8, p: 1 } as const;
const maxmem = (o: { N: number; r: number }) => 128 * o.N * o.r + 16 * 1024 * 1024;

export function hashPassword(password: string, o: { N: number; r: number; p: number } = SCRYPT): string {
  const salt = crypto.randomBytes(16);
  const hash = crypto.scryptSync(password, salt, 32, { ...o, maxmem: maxmem(o) });
  return `scrypt$${o.N}$${o.r}$${o.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

function parse(stored: string): { N: number; r: number; p: number; salt: Buffer; hash: Buffer } | null {
  const parts = stored.split('$');
  if (parts[0] !== 'scrypt') return null;
  if (parts.length === 3) return { N: 2 ** 14, r: 8, p: 1, salt: Buffer.from(parts[1], 'base64'), hash: Buffer.from(parts[2], 'base64') };
  if (parts.length !== 6) return null;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  if (![N, r, p].every((x) => Number.isInteger(x) && x > 0) || N > 2 ** 20) return null;
  return { N, r, p, salt: Buffer.from(parts[4], 'base64'), hash: Buffer.from(parts[5], 'base64') };
}

/** Whether the stored hash uses weaker parameters than today's (then it should be made again). */
export const isLegacyHash = (stored: string): boolean => (parse(stored)?.N ?? 0) < SCRYPT.N;

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const h = parse(stored);
  if (!h || h.hash.length === 0) return false;
  const actual = await scrypt(password, h.salt, h.hash.length, { N: h.N, r: h.r, p: h.p, maxmem: maxmem(h) });
  return crypto.timingSafeEqual(actual, h.hash);
}
