import Stripe from 'stripe';

/** The Stripe client; STRIPE_API_URL points it at stripe-mock locally and in tests. */
export function createStripe(secretKey: string, apiUrl?: string): Stripe {
  if (!apiUrl) return new Stripe(secretKey, { maxNetworkRetries: 2, timeout: 20_000 });
  const u = new URL(apiUrl);
  return new Stripe(secretKey, {
    host: u.hostname,
    port: Number(u.port || (u.protocol === 'https:' ? 443 : 80)),
    protocol: u.protocol.replace(':', '') as 'http' | 'https',
    maxNetworkRetries: 2,
    timeout: 20_000,
  });
}

export type { Stripe };
