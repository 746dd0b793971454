/**
 * What a client can buy (SPEC, "Catalog"). Prices are not in the CGV: they are configuration (see
 * `catalogFromEnv`), in EUR cents, VAT included.
 */
export const PACK_CODES = ['PACK_1H', 'PACK_HALF_DAY', 'PACK_DAY'] as const;
export type PackCode = (typeof PACK_CODES)[number];

export interface PackOffer {
  code: PackCode;
  /** French label shown to clients. */
  label: string;
  /** Hours bought with quantity 1. */
  hours: number;
  /** Hours of coaching in one session: a PACK_HALF_DAY is one 3 h block, a PACK_DAY one 6 h block. */
  sessionHours: number;
  /** A PACK_DAY's 6 consecutive hours exclude breaks (CGV "*hors temps de pause"): the block lasts 6 h + this. */
  breakMinutes: number;
  priceCents: number;
  currency: 'EUR';
  /** Only the hourly pack can be bought in several hours at once (1–10). */
  maxQuantity: number;
}

export const DEFAULT_CATALOG: Record<PackCode, PackOffer> = {
  PACK_1H: {
    code: 'PACK_1H',
    label: 'Pack 1 heure',
    hours: 1,
    sessionHours: 1,
    breakMinutes: 0,
    priceCents: 9_000,
    currency: 'EUR',
    maxQuantity: 10,
  },
  PACK_HALF_DAY: {
    code: 'PACK_HALF_DAY',
    label: 'Pack 1/2 journée (3 heures consécutives)',
    hours: 3,
    sessionHours: 3,
    breakMinutes: 0,
    priceCents: 24_000,
    currency: 'EUR',
    maxQuantity: 1,
  },
  PACK_DAY: {
    code: 'PACK_DAY',
    label: 'Pack 1 jour (6 heures consécutives, hors pause)',
    hours: 6,
    sessionHours: 6,
    breakMinutes: 60,
    priceCents: 45_000,
    currency: 'EUR',
    maxQuantity: 1,
  },
};

/**
 * The catalog with prices and the day pack's break taken from the environment:
 * `PRICE_PACK_1H_CENTS`, `PRICE_PACK_HALF_DAY_CENTS`, `PRICE_PACK_DAY_CENTS`, `PACK_DAY_BREAK_MINUTES`.
 */
export function catalogFromEnv(env: Record<string, string | undefined>): Record<PackCode, PackOffer> {
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be an integer between ${min} and ${max}`);
    return n;
  };
  const c = structuredCloneCatalog(DEFAULT_CATALOG);
  for (const code of PACK_CODES) c[code].priceCents = int(`PRICE_${code}_CENTS`, c[code].priceCents, 100, 10_000_000);
  c.PACK_DAY.breakMinutes = int('PACK_DAY_BREAK_MINUTES', c.PACK_DAY.breakMinutes, 0, 240);
  return c;
}

function structuredCloneCatalog(c: Record<PackCode, PackOffer>): Record<PackCode, PackOffer> {
  return Object.fromEntries(PACK_CODES.map((k) => [k, { ...c[k] }])) as Record<PackCode, PackOffer>;
}

export function isPackCode(v: unknown): v is PackCode {
  return typeof v === 'string' && (PACK_CODES as readonly string[]).includes(v);
}
