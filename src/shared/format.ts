/**
 * How amounts, dates and hours read in French, in emails and pages alike. Pure Intl (no Node built-in): the
 * formatters are built once per time zone and kept, since building one costs far more than using it (the dashboard
 * formats thousands of dates).
 */
const EUROS = new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' });

/** « 1 234,50 € » (plain spaces, so text emails and tests read alike). */
export const euros = (cents: number): string => EUROS.format(cents / 100).replace(/\u202f|\u00a0/g, ' ');

const formats = new Map<string, Intl.DateTimeFormat>();
function format(zone: string, kind: 'dateTime' | 'date' | 'time'): Intl.DateTimeFormat {
  const key = `${kind}|${zone}`;
  let f = formats.get(key);
  if (!f) {
    const date = { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' } as const;
    const time = { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' } as const;
    f = new Intl.DateTimeFormat('fr-FR', { timeZone: zone, ...(kind !== 'time' ? date : {}), ...(kind !== 'date' ? time : {}) });
    formats.set(key, f);
  }
  return f;
}

const msOf = (at: Date | string | number): number => (typeof at === 'number' ? at : typeof at === 'string' ? Date.parse(at) : at.getTime());

function parts(at: Date | string | number, zone: string, kind: 'dateTime' | 'date' | 'time'): Record<string, string> {
  const p: Record<string, string> = {};
  for (const { type, value } of format(zone, kind).formatToParts(msOf(at))) p[type] = value;
  return p;
}

/** « jeudi 26 novembre 2026 à 16h05 », in the given zone. */
export function frenchDateTime(at: Date | string | number, zone: string): string {
  const p = parts(at, zone, 'dateTime');
  return `${p.weekday} ${p.day} ${p.month} ${p.year} à ${p.hour}h${p.minute}`;
}

/** « jeudi 26 novembre 2026 ». */
export function frenchDate(at: Date | string | number, zone: string): string {
  const p = parts(at, zone, 'date');
  return `${p.weekday} ${p.day} ${p.month} ${p.year}`;
}

/** « 16h05 ». */
export function frenchTime(at: Date | string | number, zone: string): string {
  const p = parts(at, zone, 'time');
  return `${p.hour}h${p.minute}`;
}

/** « 1 heure », « 3 heures ». */
export const hoursText = (n: number): string => `${n} heure${n > 1 ? 's' : ''}`;
