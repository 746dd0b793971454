/**
 * The CalDAV password of the provider's calendar, kept encrypted in PostgreSQL (AES-256-GCM with a key derived from
 * ACCESS_TOKEN_SECRET, which the gateway and the worker both hold): a copy of the database alone does not reveal it.
 * A changed ACCESS_TOKEN_SECRET makes it unreadable: the dashboard then asks for the password again.
 */
import crypto from 'node:crypto';

const keyOf = (secret: string) => crypto.createHash('sha256').update('imaginasite calendar source\0').update(secret).digest();

export function sealCalendarPassword(password: string, secret: string): string {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', keyOf(secret), iv);
  const sealed = Buffer.concat([cipher.update(password, 'utf8'), cipher.final()]);
  return `v1:${Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64')}`;
}

/** The password, or null when it cannot be read (another secret, a damaged value). */
export function openCalendarPassword(sealed: string, secret: string): string | null {
  if (!sealed.startsWith('v1:')) return null;
  const raw = Buffer.from(sealed.slice(3), 'base64');
  if (raw.length < 28) return null;
  try {
    const decipher = crypto.createDecipheriv('aes-256-gcm', keyOf(secret), raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}
