import { DateTime } from 'luxon';
import type { ActivitySettings } from '../activities/packs';
import { DEFAULT_SETTINGS, WITHDRAWAL_AFTER_START, type PackSettings, type WithdrawalAfterStart } from '../shared/policy';
import { ConfigError, sellerOf, type Config } from './config';

/**
 * Durations of the pack's life, from the environment (README, "Configuration"). Durations are written like
 * `90m`, `24h`, `7d`; lists are comma-separated. A new value applies to packs ordered from then on: each pack
 * keeps the settings it was sold under.
 */
const DURATIONS: Array<[keyof PackSettings, string]> = [
  ['paymentDeadlineMs', 'PAYMENT_DEADLINE'],
  ['paymentReminderBeforeMs', 'PAYMENT_REMINDER_BEFORE'],
  ['freeCancellationNoticeMs', 'FREE_CANCELLATION_NOTICE'],
  ['closedLingerMs', 'CLOSED_ORDER_LINGER'],
  ['usedUpGraceMs', 'USED_UP_GRACE'],
  ['noShowReportWindowMs', 'NO_SHOW_REPORT_WINDOW'],
  ['validityOverrideMs', 'PACK_VALIDITY'],
];
const LISTS: Array<[keyof PackSettings, string]> = [
  ['expiryWarningsBeforeMs', 'EXPIRY_WARNINGS_BEFORE'],
  ['sessionRemindersBeforeMs', 'SESSION_REMINDERS_BEFORE'],
];
const UNIT: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseDuration(v: string): number | null {
  const m = /^(\d+(?:\.\d+)?)(s|m|h|d)$/.exec(v.trim());
  return m ? Math.round(Number(m[1]) * UNIT[m[2]]) : null;
}

export function loadPackSettings(env: NodeJS.ProcessEnv = process.env): PackSettings {
  const s: PackSettings = { ...DEFAULT_SETTINGS };
  const problems: string[] = [];
  const set = <K extends keyof PackSettings>(k: K, v: PackSettings[K]) => {
    s[k] = v;
  };
  for (const [key, name] of DURATIONS) {
    const raw = env[name];
    if (!raw) continue;
    const v = parseDuration(raw);
    if (v === null || v <= 0) problems.push(`${name} must be a duration such as 90m, 24h or 7d`);
    else set(key, v);
  }
  for (const [key, name] of LISTS) {
    const raw = env[name];
    if (raw === undefined) continue;
    const vs = raw
      .split(',')
      .filter((x) => x.trim() !== '')
      .map(parseDuration);
    if (vs.some((v) => v === null || v <= 0)) problems.push(`${name} must be a comma-separated list of durations such as 14d,3d`);
    else set(key, vs as number[]);
  }
  for (const [key, name, min, max] of [
    ['validityMonths', 'PACK_VALIDITY_MONTHS', 1, 24],
    ['withdrawalDays', 'WITHDRAWAL_DAYS', 14, 60],
  ] as const) {
    const raw = env[name];
    if (!raw) continue;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) problems.push(`${name} must be an integer between ${min} and ${max}`);
    else set(key, n);
  }
  const afterStart = env.WITHDRAWAL_AFTER_START?.trim();
  if (afterStart) {
    // `refused`: the CGV as written; `prorata`: Code de la consommation L221-25 (src/shared/policy.ts).
    if (!(WITHDRAWAL_AFTER_START as readonly string[]).includes(afterStart))
      problems.push(`WITHDRAWAL_AFTER_START must be ${WITHDRAWAL_AFTER_START.join(' or ')}`);
    else set('withdrawalAfterStart', afterStart as WithdrawalAfterStart);
  }
  if (env.BUSINESS_TIMEZONE) {
    if (!DateTime.local().setZone(env.BUSINESS_TIMEZONE).isValid)
      problems.push('BUSINESS_TIMEZONE must be an IANA time zone such as Europe/Paris');
    else set('timezone', env.BUSINESS_TIMEZONE);
  }
  if (problems.length) throw new ConfigError(problems);
  return s;
}

export function activitySettingsFromConfig(c: Config): ActivitySettings {
  return {
    publicUrl: c.PUBLIC_URL,
    zoomUrl: c.ZOOM_MEETING_URL,
    mailFrom: c.MAIL_FROM,
    providerEmail: c.PROVIDER_EMAIL,
    timezone: c.BUSINESS_TIMEZONE,
    bank: { iban: c.BANK_IBAN, bic: c.BANK_BIC, holder: c.BANK_ACCOUNT_HOLDER },
    accessTokenSecret: c.ACCESS_TOKEN_SECRET,
    portalLinkTtlSeconds: c.PORTAL_LINK_TTL_DAYS * 86_400,
    seller: documentSellerOf(c),
    ...(c.ZOOM_ACCOUNT_ID && c.ZOOM_CLIENT_ID && c.ZOOM_CLIENT_SECRET
      ? {
          zoom: {
            accountId: c.ZOOM_ACCOUNT_ID,
            clientId: c.ZOOM_CLIENT_ID,
            clientSecret: c.ZOOM_CLIENT_SECRET,
            apiUrl: c.ZOOM_API_URL,
            oauthUrl: c.ZOOM_OAUTH_URL,
            userId: c.ZOOM_USER_ID,
          },
        }
      : {}),
  };
}

/** The seller as the contract documents and the invoices name them (the legal pages add the host and the mediator). */
export function documentSellerOf(c: Parameters<typeof sellerOf>[0]): ActivitySettings['seller'] {
  const { name, address, siret, vat, email, phone } = sellerOf(c);
  return { name, address, siret, vat, email, phone };
}
