/**
 * The busy times of an iCalendar text (RFC 5545) within a window: what blocks the provider's agenda. Pure and
 * synchronous; the worker runs it in a thread of its own under a time limit (src/infra/calendar-thread.ts), since a
 * hostile recurrence rule can keep ical.js's iterator busy forever inside one call.
 *
 * - Recurrences: RRULE, RDATE and EXDATE expanded by ical.js, with their overridden occurrences (RECURRENCE-ID),
 *   cancelled ones dropped.
 * - Time zones: a TZID defined in the file (VTIMEZONE) converts by that definition; one the file does not define is
 *   read as an IANA zone (luxon); a floating time, or an unknown zone, is the business's time.
 * - All-day events block their whole days in the business's time zone.
 * - Free time (TRANSP:TRANSPARENT), cancelled events, and the sessions of our own feed (UID @imaginasite.com, when
 *   the provider subscribed to it in the same calendar) are not busy.
 */
import { DateTime } from 'luxon';
import type ICALModule from 'ical.js' with { 'resolution-mode': 'import' };
import { OWN_EVENT_UID_SUFFIX } from '../shared/calendars';

// ical.js 2 is an ES module with a CommonJS build (its `require` export); TypeScript resolves its types as ESM only.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ICAL = require('ical.js') as typeof ICALModule;
type Component = InstanceType<typeof ICAL.Component>;
type Time = InstanceType<typeof ICAL.Time>;
type Event = InstanceType<typeof ICAL.Event>;
/** ical.js's `occurrenceDetails` (a JSDoc typedef its declarations leave unresolved). */
interface Occurrence {
  item: Event;
  startDate: Time;
  endDate: Time;
}

export interface BusyRange {
  startMs: number;
  endMs: number;
  allDay: boolean;
}

export interface BusyTimes {
  ranges: BusyRange[];
  /** Events that could not be read (a bad date, an unreadable rule): ignored. */
  skipped: number;
  /** A limit stopped the reading: some occurrences are missing. */
  truncated: boolean;
}

export interface BusyWindow {
  fromMs: number;
  toMs: number;
  /** Floating times and all-day events are in this zone. */
  zone: string;
  /** At most this many ranges in all. */
  maxRanges: number;
  /** At most this many occurrences looked at per recurring event (before the window too). */
  maxIterations: number;
}

export class MalformedCalendar extends Error {}

/** The instant of an ical.js time: its file's zone, else its TZID as an IANA zone, else the business's zone. */
function instantOf(t: Time, tzid: string | null, zone: string): number {
  const tz = t.zone?.tzid;
  if (tz === 'UTC' || tz === 'Z') return Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second);
  if (tz && tz !== 'floating') return t.toUnixTime() * 1000;
  const wall = { year: t.year, month: t.month, day: t.day, hour: t.isDate ? 0 : t.hour, minute: t.isDate ? 0 : t.minute };
  const named = tzid && !t.isDate ? DateTime.fromObject({ ...wall, second: t.second }, { zone: tzid }) : null;
  if (named?.isValid) return named.toMillis();
  return DateTime.fromObject({ ...wall, second: t.isDate ? 0 : t.second }, { zone }).toMillis();
}

const tzidOf = (c: Component, prop: string): string | null => {
  const p = c.getFirstProperty(prop);
  const v = p?.getParameter('tzid');
  return typeof v === 'string' ? v : null;
};

const isFree = (c: Component) => {
  const transp = c.getFirstPropertyValue('transp');
  const status = c.getFirstPropertyValue('status');
  return (
    (typeof transp === 'string' && transp.toUpperCase() === 'TRANSPARENT') ||
    (typeof status === 'string' && status.toUpperCase() === 'CANCELLED')
  );
};

/** The calendars of one iCalendar text (a file may hold several VCALENDARs). */
function calendarsOf(text: string): Component[] {
  let parsed: unknown;
  try {
    parsed = ICAL.parse(text);
  } catch (err) {
    throw new MalformedCalendar(`iCalendar illisible : ${(err as Error).message}`.slice(0, 300));
  }
  const roots = (Array.isArray(parsed) && Array.isArray(parsed[0]) ? parsed : [parsed]) as unknown[];
  const calendars = roots.map((r) => new ICAL.Component(r as unknown[]));
  if (calendars.length === 0 || calendars.some((c) => c.name !== 'vcalendar'))
    throw new MalformedCalendar('Ce n’est pas un calendrier iCalendar (BEGIN:VCALENDAR attendu).');
  return calendars;
}

export function busyTimesOf(texts: string[], w: BusyWindow): BusyTimes {
  const out: BusyTimes = { ranges: [], skipped: 0, truncated: false };
  const push = (startMs: number, endMs: number, allDay: boolean): boolean => {
    if (!(endMs > startMs) || endMs <= w.fromMs || startMs >= w.toMs) return true;
    if (out.ranges.length >= w.maxRanges) {
      out.truncated = true;
      return false;
    }
    out.ranges.push({ startMs: Math.max(startMs, w.fromMs), endMs: Math.min(endMs, w.toMs), allDay });
    return true;
  };

  for (const text of texts) {
    for (const calendar of calendarsOf(text)) {
      const byUid = new Map<string, { master?: Component; exceptions: Component[] }>();
      for (const ev of calendar.getAllSubcomponents('vevent')) {
        const uid = String(ev.getFirstPropertyValue('uid') ?? '');
        if (uid.toLowerCase().endsWith(OWN_EVENT_UID_SUFFIX)) continue;
        const key = uid || `anonymous-${byUid.size}`;
        const entry = byUid.get(key) ?? { exceptions: [] };
        if (ev.hasProperty('recurrence-id')) entry.exceptions.push(ev);
        else entry.master = ev;
        byUid.set(key, entry);
      }
      for (const { master, exceptions } of byUid.values()) {
        try {
          if (!master) {
            // Overridden occurrences of a series this text does not hold (CalDAV can send them alone).
            for (const ex of exceptions) if (!isFree(ex) && !single(ex)) return out;
            continue;
          }
          if (!expand(master, exceptions)) return out;
        } catch {
          out.skipped++;
        }
      }
    }
  }
  return out;

  function single(ev: Component): boolean {
    // Exceptions given (none here): otherwise ical.js scans every event of the calendar for each one (quadratic).
    const e = new ICAL.Event(ev, { exceptions: [] });
    const start = e.startDate;
    if (!start) throw new Error('no DTSTART');
    const end = e.endDate ?? start;
    const allDay = start.isDate;
    const startMs = instantOf(start, tzidOf(ev, 'dtstart'), w.zone);
    let endMs = instantOf(end, tzidOf(ev, ev.hasProperty('dtend') ? 'dtend' : 'dtstart'), w.zone);
    if (allDay && endMs <= startMs) endMs = DateTime.fromMillis(startMs, { zone: w.zone }).plus({ days: 1 }).toMillis();
    return push(startMs, endMs, allDay);
  }

  /** false once the range limit is reached. */
  function expand(master: Component, exceptions: Component[]): boolean {
    const event = new ICAL.Event(master, { strictExceptions: true, exceptions });
    if (!event.isRecurring()) return isFree(master) || single(master);
    const masterTzid = tzidOf(master, 'dtstart');
    const it = event.iterator();
    for (let i = 0; ; i++) {
      if (i >= w.maxIterations) {
        out.truncated = true;
        return true;
      }
      const next = it.next();
      if (!next) return true;
      const d = event.getOccurrenceDetails(next) as unknown as Occurrence;
      const item = d.item.component;
      const tzid = d.item === event ? masterTzid : tzidOf(item, 'dtstart');
      const startMs = instantOf(d.startDate, tzid, w.zone);
      if (startMs >= w.toMs && d.item === event) return true;
      if (isFree(item)) continue;
      const allDay = d.startDate.isDate;
      let endMs = instantOf(d.endDate, tzid, w.zone);
      if (allDay && endMs <= startMs) endMs = DateTime.fromMillis(startMs, { zone: w.zone }).plus({ days: 1 }).toMillis();
      if (!push(startMs, endMs, allDay)) return false;
    }
  }
}
