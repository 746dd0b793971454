import { z } from 'zod';

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
    STRIPE_WEBHOOK_SECRET: z.string().regex(/^whsec_/, { message: 'must be a Stripe webhook signing secret (whsec_…)' }),
    PROVIDER_API_TOKEN: z.string().min(24, { message: 'must be at least 24 characters' }),
    ZOOM_MEETING_URL: url(['https', 'http']).default('https://zoom.us/j/0000000000'),
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
      .regex(/^scrypt\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/, { message: 'must be a hash made by `npm run hash-password`' })
      .optional(),
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
    if ((c.TEMPORAL_TLS_CERT_PATH === undefined) !== (c.TEMPORAL_TLS_KEY_PATH === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['TEMPORAL_TLS_KEY_PATH'],
        message: 'TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH go together',
      });
    }
  });

export type Config = z.infer<typeof schema> & { PUBLIC_URL: string; TEMPORAL_UI_URL: string };

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
