/**
 * Reads the provider's own calendar: a read-only ICS address (plain HTTP GET) or a CalDAV account (tsdav: service
 * discovery, the account's calendars, then a calendar-query REPORT over the window), then its busy times in a thread
 * (src/infra/calendar-thread.ts). Everything a calendar can make us do is bounded: every request shares one deadline,
 * every body counts against one size budget, and the reading has its own time and memory limits. A failure is a
 * `CalendarReadError` whose code the dashboard explains in French.
 */
import { createAccount, fetchCalendarObjects, fetchCalendars, getBasicAuthHeaders, urlEquals, type DAVCalendar } from 'tsdav';
import type { CalendarSourceKind, CalendarSyncError } from '../shared/calendars';
import type { BusyTimes } from './calendar-busy';
import { CalendarThreadTimeout, readBusyTimes } from './calendar-thread';

export interface CalendarLimits {
  /** All the requests of one read, together. */
  fetchTimeoutMs: number;
  /** All the bodies of one read, together. */
  maxBytes: number;
  /** The reading of the texts (a thread, ended at this). */
  parseTimeoutMs: number;
  parseMaxHeapMb: number;
  maxRanges: number;
  maxIterations: number;
  /** Busy times are read from a day ago to this far ahead. */
  horizonDays: number;
}

export const DEFAULT_CALENDAR_LIMITS: CalendarLimits = {
  fetchTimeoutMs: 15_000,
  maxBytes: 5 * 1024 * 1024,
  parseTimeoutMs: 10_000,
  parseMaxHeapMb: 256,
  maxRanges: 20_000,
  maxIterations: 20_000,
  horizonDays: 400,
};

export interface CalendarAccess {
  kind: CalendarSourceKind;
  url: string;
  username: string | null;
  password: string | null;
}

export class CalendarReadError extends Error {
  constructor(
    readonly code: CalendarSyncError,
    message: string,
  ) {
    super(message);
  }
}

/** A fetch whose requests share a deadline and whose bodies share a size budget; 401/403 is a refusal of the credentials. */
function boundedFetch(limits: CalendarLimits): typeof fetch {
  const deadline = AbortSignal.timeout(limits.fetchTimeoutMs);
  let bytes = 0;
  const tooLarge = () =>
    new CalendarReadError(
      'CALENDAR_TOO_LARGE',
      `le calendrier dépasse ${Math.round(limits.maxBytes / 1024 / 1024)} Mo : il n’a pas été lu`,
    );
  return async (input, init) => {
    let res: Response;
    try {
      res = await fetch(input, { ...init, signal: deadline });
    } catch (err) {
      throw networkError(err);
    }
    if (res.status === 401 || res.status === 403)
      throw new CalendarReadError('CALENDAR_AUTH_FAILED', `le serveur refuse l’identifiant ou le mot de passe (HTTP ${res.status})`);
    const declared = Number(res.headers.get('content-length') ?? 0);
    if (declared > limits.maxBytes - bytes) {
      await res.body?.cancel();
      throw tooLarge();
    }
    const chunks: Uint8Array[] = [];
    if (res.body) {
      const reader = res.body.getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          bytes += value.byteLength;
          if (bytes > limits.maxBytes) {
            await reader.cancel();
            throw tooLarge();
          }
          chunks.push(value);
        }
      } catch (err) {
        throw err instanceof CalendarReadError ? err : networkError(err);
      }
    }
    return new Response(res.status === 204 || res.status === 304 ? null : Buffer.concat(chunks), {
      status: res.status,
      statusText: res.statusText,
      headers: res.headers,
    });
  };
}

function networkError(err: unknown): CalendarReadError {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError')
    return new CalendarReadError('CALENDAR_TIMEOUT', 'le serveur du calendrier n’a pas répondu à temps');
  const detail = e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
  return new CalendarReadError('CALENDAR_UNREACHABLE', `serveur du calendrier injoignable (${detail})`);
}

async function icsTexts(url: string, doFetch: typeof fetch): Promise<string[]> {
  const res = await doFetch(url, { headers: { accept: 'text/calendar, */*;q=0.1' }, redirect: 'follow' });
  if (res.status === 404 || res.status === 410)
    throw new CalendarReadError('CALENDAR_NOT_FOUND', `aucun calendrier à cette adresse (HTTP ${res.status})`);
  if (!res.ok) throw new CalendarReadError('CALENDAR_UNREACHABLE', `le serveur du calendrier répond HTTP ${res.status}`);
  return [await res.text()];
}

async function caldavTexts(a: CalendarAccess, window: { fromMs: number; toMs: number }, doFetch: typeof fetch): Promise<string[]> {
  const credentials = { username: a.username ?? '', password: a.password ?? '' };
  const headers = getBasicAuthHeaders(credentials);
  const timeRange = { start: new Date(window.fromMs).toISOString(), end: new Date(window.toMs).toISOString() };
  let calendars: DAVCalendar[];
  try {
    const account = await createAccount({ account: { serverUrl: a.url, accountType: 'caldav', credentials }, headers, fetch: doFetch });
    const all = await fetchCalendars({ account, headers, fetch: doFetch });
    // The address of one calendar reads that one; the server's or the account's address reads all its calendars of events.
    const named = all.filter((c) => urlEquals(c.url, a.url));
    calendars = named.length > 0 ? named : all.filter((c) => !c.components || c.components.includes('VEVENT'));
  } catch (err) {
    if (err instanceof CalendarReadError) throw err;
    // Discovery failed: the address may still be a calendar collection of a server without discovery.
    calendars = [{ url: a.url }];
  }
  if (calendars.length === 0) throw new CalendarReadError('CALENDAR_NOT_FOUND', 'ce compte CalDAV n’a aucun calendrier d’événements');
  const texts: string[] = [];
  for (const calendar of calendars) {
    try {
      const objects = await fetchCalendarObjects({ calendar, headers, timeRange, fetch: doFetch, urlFilter: () => true });
      for (const o of objects) if (typeof o.data === 'string' && o.data.length > 0) texts.push(o.data);
    } catch (err) {
      if (err instanceof CalendarReadError) throw err;
      throw new CalendarReadError(
        'CALENDAR_NOT_FOUND',
        `calendrier CalDAV illisible à cette adresse (${String((err as Error).message).slice(0, 160)})`,
      );
    }
  }
  return texts;
}

/** The provider's busy times over the window, or a CalendarReadError. */
export async function readCalendar(
  a: CalendarAccess,
  o: { nowMs: number; zone: string; limits?: Partial<CalendarLimits> },
): Promise<BusyTimes & { fromMs: number; toMs: number }> {
  const limits = { ...DEFAULT_CALENDAR_LIMITS, ...o.limits };
  const fromMs = o.nowMs - 86_400_000;
  const toMs = o.nowMs + limits.horizonDays * 86_400_000;
  const doFetch = boundedFetch(limits);
  const texts = a.kind === 'ics' ? await icsTexts(a.url, doFetch) : await caldavTexts(a, { fromMs, toMs }, doFetch);
  let answer;
  try {
    answer = await readBusyTimes(
      texts,
      { fromMs, toMs, zone: o.zone, maxRanges: limits.maxRanges, maxIterations: limits.maxIterations },
      { timeoutMs: limits.parseTimeoutMs, maxHeapMb: limits.parseMaxHeapMb },
    );
  } catch (err) {
    if (err instanceof CalendarThreadTimeout) throw new CalendarReadError('CALENDAR_TOO_COMPLEX', err.message);
    throw err;
  }
  if (!answer.ok) throw new CalendarReadError(answer.malformed ? 'CALENDAR_MALFORMED' : 'CALENDAR_TOO_COMPLEX', answer.message);
  return { ...answer.busy, fromMs, toMs };
}
