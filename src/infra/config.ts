import { z } from 'zod';
import { validFrenchVat, validSiret, type Seller } from '../shared/seller';

/**
 * Every setting the gateway and the worker read, validated once at start-up. The names in the SPEC's contract
 * (PORT, PUBLIC_URL, DATABASE_URL, TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, SMTP_URL, STRIPE_SECRET_KEY,
 * STRIPE_WEBHOOK_SECRET, PROVIDER_API_TOKEN, ZOOM_MEETING_URL) keep their meaning; the README's configuration table
 * lists them all. `npm start` fills the service addresses with its embedded defaults.
 */

const url = (protocols: string[]) =>
  z.string().refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol.replace(/:$/, ''));
      } catch {
        return false;
      }
    },
    { message: `must be a URL (${protocols.join(', ')})` },
  );

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const hostPort = z.string().regex(/^[^\s:]+:\d{1,5}$/, { message: 'must be host:port' });

const schema = z
  .object({
    PORT: z.coerce.number({ message: 'must be a port number' }).int().min(0).max(65535).default(3000),
    // The address the gateway listens on: every interface in a container; npm start keeps it to loopback.
    LISTEN_HOST: z.string().min(1).default('0.0.0.0'),
    PUBLIC_URL: url(['http', 'https']).optional(),
    DATABASE_URL: url(['postgres', 'postgresql']),
    TEMPORAL_ADDRESS: hostPort.default('localhost:7233'),
    TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
    TEMPORAL_TASK_QUEUE: z.string().min(1).default('packs'),
    TEMPORAL_API_KEY: z.string().min(1).optional(),
    TEMPORAL_TLS: bool.optional(),
    TEMPORAL_TLS_CERT_PATH: z.string().min(1).optional(),
    TEMPORAL_TLS_KEY_PATH: z.string().min(1).optional(),
    TEMPORAL_TLS_CA_PATH: z.string().min(1).optional(),
    TEMPORAL_TLS_SERVER_NAME: z.string().min(1).optional(),
    TEMPORAL_UI_URL: url(['http', 'https']).optional(),
    SMTP_URL: url(['smtp', 'smtps']).default('smtp://127.0.0.1:2525'),
    MAIL_FROM: z.string().min(3).default('imaginasite <contact@imaginasite.com>'),
    PROVIDER_EMAIL: z.string().email({ message: 'must be an email address' }).default('contact@imaginasite.com'),
    STRIPE_SECRET_KEY: z.string().regex(/^(sk|rk)_(test|live)_/, { message: 'must be a Stripe secret key (sk_test_… or sk_live_…)' }),
    STRIPE_API_URL: url(['http', 'https']).optional(),
    // The gateway's only (checkGatewayConfig): the workers neither take Stripe's webhooks nor answer the admin API.
    STRIPE_WEBHOOK_SECRET: z
      .string()
      .regex(/^whsec_/, { message: 'must be a Stripe webhook signing secret (whsec_…)' })
      .optional(),
    PROVIDER_API_TOKEN: z.string().min(24, { message: 'must be at least 24 characters' }).optional(),
    ZOOM_MEETING_URL: url(['https', 'http']).default('https://zoom.us/j/0000000000'),
    // A meeting per session (Zoom Server-to-Server OAuth app): the three together, or none (ZOOM_MEETING_URL for all).
    ZOOM_ACCOUNT_ID: z.string().trim().min(1).optional(),
    ZOOM_CLIENT_ID: z.string().trim().min(1).optional(),
    ZOOM_CLIENT_SECRET: z.string().trim().min(1).optional(),
    ZOOM_API_URL: url(['https', 'http']).default('https://api.zoom.us/v2'),
    ZOOM_OAUTH_URL: url(['https', 'http']).default('https://zoom.us/oauth/token'),
    ZOOM_USER_ID: z.string().trim().min(1).default('me'),
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
    ACCESS_TOKEN_SECRET: z.string().min(32, { message: 'must be at least 32 characters' }),
    PORTAL_LINK_TTL_DAYS: z.coerce.number({ message: 'must be a number of days' }).int().min(1).max(365).default(30),
    BANK_IBAN: z
      .string()
      .regex(/^[A-Z]{2}\d{2}[A-Z0-9 ]{10,30}$/, { message: 'must be an IBAN' })
      .default('FR76 3000 6000 0112 3456 7890 189'),
    BANK_BIC: z
      .string()
      .regex(/^[A-Z0-9]{8}([A-Z0-9]{3})?$/, { message: 'must be a BIC' })
      .default('AGRIFRPPXXX'),
    BANK_ACCOUNT_HOLDER: z.string().min(2).default('imaginasite'),
    BUSINESS_TIMEZONE: z.string().min(3).default('Europe/Paris'),
    PROVIDER_PASSWORD_HASH: z
      .string()
      .regex(/^scrypt(\$\d+\$\d+\$\d+)?\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/, { message: 'must be a hash made by `npm run hash-password`' })
      .optional(),
    // The seller (SPEC « Going live »): shown on the legal pages, the CGV, the contract documents and the invoices.
    SELLER_NAME: z.string().trim().min(2, { message: 'must be the seller’s name (e.g. Jean Dupont EI)' }).max(200),
    SELLER_ADDRESS: z.string().trim().min(10, { message: 'must be the seller’s postal address' }).max(300),
    SELLER_SIRET: z
      .string()
      .transform((v) => v.replace(/\s/g, ''))
      .refine(validSiret, { message: 'must be a SIRET: 14 digits whose Luhn check holds (INSEE)' }),
    SELLER_VAT: z
      .string()
      .transform((v) => v.replace(/\s/g, '').toUpperCase())
      .refine((v) => v === 'FRANCHISE' || validFrenchVat(v), {
        message: "must be 'franchise' (TVA non applicable, art. 293 B du CGI) or a French VAT number (FR, its 2-digit key, the SIREN)",
      }),
    VAT_RATE: z.coerce.number({ message: 'must be a percentage' }).min(0).max(100).default(20),
    SELLER_EMAIL: z.string().email({ message: 'must be an email address' }),
    SELLER_PHONE: z.string().regex(/^\+?[0-9 ().-]{6,25}$/, { message: 'must be a phone number' }),
    HOST_NAME: z.string().trim().min(2, { message: 'must be the web host’s name (LCEN art. 6 III)' }),
    HOST_ADDRESS: z.string().trim().min(5, { message: 'must be the web host’s address or phone (LCEN art. 6 III)' }),
    MEDIATOR_NAME: z.string().trim().min(2, { message: 'must be the consumer mediator’s name (Code de la consommation L616-1)' }),
    MEDIATOR_URL: url(['https', 'http']),
    // Express's `trust proxy`: a number of proxies in front (1 behind one TLS proxy), true/false, or their addresses
    // (`loopback`, `10.0.0.0/8`, comma-separated). Needed behind a proxy for Secure cookies and each client's own address.
    TRUST_PROXY: z
      .string()
      .transform((v): boolean | number | string => (v === 'true' ? true : v === 'false' ? false : /^\d+$/.test(v) ? Number(v) : v))
      .optional(),
    // Worker tuning (README "Performance"): the workflow cache bounds the worker's memory whatever the number of packs.
    WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number({ message: 'must be a number' }).int().min(0).max(100_000).default(500),
    WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: z.coerce.number({ message: 'must be a number' }).int().min(2).max(1000).default(40),
    WORKER_MAX_CONCURRENT_ACTIVITIES: z.coerce.number({ message: 'must be a number' }).int().min(1).max(1000).default(40),
    WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: z.coerce.number({ message: 'must be a number' }).int().min(1).max(1000).default(40),
    // Requests per minute and per client address (429 RATE_LIMITED beyond); orders count once created, refused order
    // bodies have their own, looser limit.
    RATE_LIMIT_ORDERS_PER_MINUTE: z.coerce.number({ message: 'must be a number' }).int().min(1).default(10),
    RATE_LIMIT_BOOKINGS_PER_MINUTE: z.coerce.number({ message: 'must be a number' }).int().min(1).default(30),
    RATE_LIMIT_INVALID_ORDERS_PER_MINUTE: z.coerce.number({ message: 'must be a number' }).int().min(1).default(60),
  })
  .superRefine((c, ctx) => {
    // stripe-mock (and the simulated Checkout page that comes with it) take test keys only: a live key never talks to
    // anything but Stripe, and no page of ours can then sign a payment.
    if (c.STRIPE_API_URL && c.STRIPE_SECRET_KEY?.includes('_live_')) {
      ctx.addIssue({
        code: 'custom',
        path: ['STRIPE_API_URL'],
        message: 'is for stripe-mock and test keys only: unset it with a live STRIPE_SECRET_KEY',
      });
    }
    if (c.SELLER_VAT !== 'FRANCHISE' && c.SELLER_SIRET && c.SELLER_VAT.slice(4) !== c.SELLER_SIRET.slice(0, 9)) {
      ctx.addIssue({
        code: 'custom',
        path: ['SELLER_VAT'],
        message: `does not match SELLER_SIRET: its SIREN must be ${c.SELLER_SIRET.slice(0, 9)}`,
      });
    }
    const zoom = [c.ZOOM_ACCOUNT_ID, c.ZOOM_CLIENT_ID, c.ZOOM_CLIENT_SECRET].filter((v) => v !== undefined).length;
    if (zoom !== 0 && zoom !== 3) {
      ctx.addIssue({
        code: 'custom',
        path: ['ZOOM_CLIENT_SECRET'],
        message: 'ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET go together (a Server-to-Server OAuth app), or none',
      });
    }
    if ((c.TEMPORAL_TLS_CERT_PATH === undefined) !== (c.TEMPORAL_TLS_KEY_PATH === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['TEMPORAL_TLS_KEY_PATH'],
        message: 'TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH go together',
      });
    }
  });

export type Config = z.infer<typeof schema> & { PUBLIC_URL: string; TEMPORAL_UI_URL: string };

/**
 * What the gateway needs beyond the shared configuration. A public address over HTTPS means a TLS proxy in front of
 * it: without TRUST_PROXY every client would share the proxy's address (rate limits, lockouts, the consents' address)
 * and the gateway could not tell that requests came over HTTPS. (The workers take the same PUBLIC_URL, for their
 * emails' links, and need no proxy setting.)
 */
export function checkGatewayConfig(c: Config): GatewayConfigValues {
  const problems = [
    ...(c.STRIPE_WEBHOOK_SECRET === undefined ? ['STRIPE_WEBHOOK_SECRET is required'] : []),
    ...(c.PROVIDER_API_TOKEN === undefined ? ['PROVIDER_API_TOKEN is required'] : []),
    ...(c.PUBLIC_URL.startsWith('https://') && c.TRUST_PROXY === undefined
      ? ['TRUST_PROXY is required when PUBLIC_URL is https (a TLS proxy is in front): 1 for one proxy, or its addresses']
      : []),
  ];
  if (problems.length) throw new ConfigError(problems);
  return c as GatewayConfigValues;
}

/** The configuration of a gateway: with the secrets only it holds. */
export type GatewayConfigValues = Config & { STRIPE_WEBHOOK_SECRET: string; PROVIDER_API_TOKEN: string };

/** The gateway's configuration from the environment: the shared values, then what only the gateway needs. */
export const loadGatewayConfig = (env: NodeJS.ProcessEnv = process.env): GatewayConfigValues => checkGatewayConfig(loadConfig(env));

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const input = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => {
        const name = String(i.path[0] ?? '');
        return i.code === 'invalid_type' && input[name] === undefined ? `${name} is required` : `${name} ${i.message}`;
      }),
    );
  }
  const c = parsed.data;
  return {
    ...c,
    PUBLIC_URL: (c.PUBLIC_URL ?? `http://localhost:${c.PORT}`).replace(/\/$/, ''),
    TEMPORAL_UI_URL: (c.TEMPORAL_UI_URL ?? 'http://localhost:8233').replace(/\/$/, ''),
  };
}

/** The seller as the configuration describes it. */
export type SellerConfig = Pick<
  Config,
  | 'SELLER_NAME'
  | 'SELLER_ADDRESS'
  | 'SELLER_SIRET'
  | 'SELLER_VAT'
  | 'VAT_RATE'
  | 'SELLER_EMAIL'
  | 'SELLER_PHONE'
  | 'HOST_NAME'
  | 'HOST_ADDRESS'
  | 'MEDIATOR_NAME'
  | 'MEDIATOR_URL'
>;

export function sellerOf(c: SellerConfig): Seller {
  return {
    name: c.SELLER_NAME,
    address: c.SELLER_ADDRESS,
    siret: c.SELLER_SIRET,
    vat: c.SELLER_VAT === 'FRANCHISE' ? { regime: 'franchise' } : { regime: 'vat', number: c.SELLER_VAT, ratePercent: c.VAT_RATE },
    email: c.SELLER_EMAIL,
    phone: c.SELLER_PHONE,
    host: { name: c.HOST_NAME, address: c.HOST_ADDRESS },
    mediator: { name: c.MEDIATOR_NAME, url: c.MEDIATOR_URL },
  };
}

/**
 * Sample values for a local run (`npm start`, the tests, the benchmark): obviously not a real business, so the banner
 * can say they must be replaced before selling. The SIRET is a well-formed one (Luhn), the VAT status the franchise.
 */
export const SAMPLE_SELLER_ENV: Record<string, string> = {
  SELLER_NAME: 'Camille Exemple EI (exemple — à remplacer)',
  SELLER_ADDRESS: '1 rue de l’Exemple, 75001 Paris',
  SELLER_SIRET: '12345678200010',
  SELLER_VAT: 'franchise',
  SELLER_EMAIL: 'contact@imaginasite.com',
  SELLER_PHONE: '+33 1 00 00 00 00',
  HOST_NAME: 'Hébergeur Exemple SAS',
  HOST_ADDRESS: '2 rue de l’Hébergement, 59100 Roubaix',
  MEDIATOR_NAME: 'Médiateur Exemple de la consommation',
  MEDIATOR_URL: 'https://www.economie.gouv.fr/mediation-conso',
};
