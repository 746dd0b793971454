/**
 * What the provider gives to connect their calendar, checked the same way for the API (`PUT /api/admin/calendar`,
 * JSON) and the dashboard's form: one French message per field, before anything is stored or fetched. Whether the
 * server then answers (the address, the credentials) is the sync's to tell, on the dashboard.
 */
import { CALENDAR_SOURCE_KINDS, DEFAULT_CALENDAR_SYNC_MINUTES, type CalendarSourceKind } from '../../shared/calendars';
import { ApiError } from '../http/errors';
import type { CalendarSourceRow } from './data';

export interface CalendarSourceInput {
  kind: CalendarSourceKind;
  url: string;
  username: string | null;
  /** null: keep the stored password (same calendar). */
  password: string | null;
  intervalMinutes: number;
}

export type FieldErrors = Partial<Record<'kind' | 'url' | 'username' | 'password' | 'intervalMinutes' | 'body', string>>;

const text = (v: unknown): string | undefined => (typeof v === 'string' ? v.trim() : undefined);
const KNOWN = new Set(['kind', 'url', 'username', 'password', 'intervalMinutes']);

/** The calendar's address as fetched: `webcal://` (what calendar sites hand out for subscriptions) is HTTPS. */
function checkUrl(raw: string | undefined, errors: FieldErrors): string | undefined {
  if (!raw) {
    errors.url = 'indiquez l’adresse du calendrier (elle commence par https://).';
    return undefined;
  }
  if (raw.length > 2000) {
    errors.url = 'adresse trop longue (2000 caractères au plus).';
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(raw.replace(/^webcals?:\/\//i, 'https://'));
  } catch {
    errors.url = 'adresse invalide : indiquez une adresse complète, par exemple https://calendrier.exemple.fr/moi/agenda/.';
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    errors.url = 'l’adresse doit commencer par https:// (ou http://, ou webcal:// pour une adresse ICS).';
    return undefined;
  }
  if (!url.hostname) {
    errors.url = 'adresse invalide : le nom du serveur manque.';
    return undefined;
  }
  if (url.username || url.password) {
    errors.url = 'n’écrivez pas l’identifiant ni le mot de passe dans l’adresse : utilisez les champs prévus.';
    return undefined;
  }
  url.hash = '';
  return url.toString();
}

/**
 * The input, or the errors by field. `current` is the calendar connected now: a CalDAV password left empty keeps
 * its stored password when the address and the user are the same.
 */
export function checkCalendarSource(
  body: unknown,
  current: CalendarSourceRow | undefined,
): { ok: true; value: CalendarSourceInput } | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, errors: { body: 'un objet JSON est attendu (Content-Type: application/json).' } };
  }
  const b = body as Record<string, unknown>;
  const unknown = Object.keys(b).filter((k) => !KNOWN.has(k));
  if (unknown.length > 0)
    errors.body = `champ${unknown.length > 1 ? 's' : ''} inconnu${unknown.length > 1 ? 's' : ''} : ${unknown.join(', ')}.`;

  const kind = text(b.kind);
  if (!kind || !(CALENDAR_SOURCE_KINDS as readonly string[]).includes(kind)) {
    errors.kind = 'choisissez un compte CalDAV ou une adresse ICS (valeur attendue : "caldav" ou "ics").';
  }
  const url = checkUrl(text(b.url), errors);
  const username = text(b.username) || null;
  const password = typeof b.password === 'string' && b.password !== '' ? b.password : null;
  if (b.username !== undefined && b.username !== null && typeof b.username !== 'string') errors.username = 'doit être un texte.';
  if (b.password !== undefined && b.password !== null && typeof b.password !== 'string') errors.password = 'doit être un texte.';

  if (kind === 'caldav') {
    if (!username) errors.username ??= 'indiquez l’identifiant de votre compte CalDAV.';
    else if (username.length > 200) errors.username = '200 caractères au plus.';
    const same = current?.kind === 'caldav' && current.url === url && current.username === username && current.hasPassword;
    if (!password && !same) errors.password ??= 'indiquez le mot de passe de votre compte CalDAV (ou un mot de passe d’application).';
    else if (password && password.length > 500) errors.password = '500 caractères au plus.';
  } else if (kind === 'ics') {
    if (username) errors.username = 'une adresse ICS se lit sans identifiant : laissez ce champ vide.';
    if (password) errors.password = 'une adresse ICS se lit sans mot de passe : laissez ce champ vide.';
  }

  let intervalMinutes = DEFAULT_CALENDAR_SYNC_MINUTES;
  const rawInterval = typeof b.intervalMinutes === 'string' ? b.intervalMinutes.trim() : b.intervalMinutes;
  if (rawInterval !== undefined && rawInterval !== null && rawInterval !== '') {
    const n = typeof rawInterval === 'number' ? rawInterval : typeof rawInterval === 'string' ? Number(rawInterval) : NaN;
    if (!Number.isInteger(n) || n < 1 || n > 1440) errors.intervalMinutes = 'un nombre entier de minutes, de 1 à 1440.';
    else intervalMinutes = n;
  }

  if (Object.keys(errors).length > 0 || !kind || !url) return { ok: false, errors };
  return {
    ok: true,
    value: { kind: kind as CalendarSourceKind, url, username: kind === 'caldav' ? username : null, password, intervalMinutes },
  };
}

/** The contract's VALIDATION_FAILED, naming the fields (as `validationError` does for zod's). */
export function calendarInputError(errors: FieldErrors): ApiError {
  const parts = Object.entries(errors).map(([field, message]) => `${field === 'body' ? 'corps' : field} : ${message}`);
  return new ApiError(400, 'VALIDATION_FAILED', `Données invalides — ${parts.join(' ; ')}`);
}
