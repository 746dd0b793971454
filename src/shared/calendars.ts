/**
 * The provider's own calendars, as the gateway, the worker and the sync workflow see them (no Node built-ins): the
 * two ways to connect a calendar, what a sync answers, and the names Temporal knows them by.
 */

export const CALENDAR_SOURCE_KINDS = ['caldav', 'ics'] as const;
export type CalendarSourceKind = (typeof CALENDAR_SOURCE_KINDS)[number];

/** Why a read of the provider's calendar failed (each has a French label in src/gateway/views/labels.ts). */
export const CALENDAR_SYNC_ERRORS = [
  'CALENDAR_UNREACHABLE',
  'CALENDAR_TIMEOUT',
  'CALENDAR_AUTH_FAILED',
  'CALENDAR_NOT_FOUND',
  'CALENDAR_TOO_LARGE',
  'CALENDAR_MALFORMED',
  'CALENDAR_TOO_COMPLEX',
  'CALENDAR_SECRET_UNREADABLE',
] as const;
export type CalendarSyncError = (typeof CALENDAR_SYNC_ERRORS)[number];

/** What one sync did. A failed read changes nothing: the busy times last read stay in force. */
export type CalendarSyncResult =
  | { outcome: 'NO_SOURCE' }
  | { outcome: 'SYNCED'; busy: number; skipped: number; truncated: boolean }
  | { outcome: 'FAILED'; code: CalendarSyncError; message: string };

export const DEFAULT_CALENDAR_SYNC_MINUTES = 5;

/** One Schedule per task queue (test files share a Temporal server, each with its own queue and database). */
export const calendarSyncScheduleId = (taskQueue: string) => `calendar-sync-${taskQueue}`;

/** The sessions' own events (the feed's UIDs): read back from the provider's calendar, they are not appointments. */
export const OWN_EVENT_UID_SUFFIX = '@imaginasite.com';
export const sessionEventUid = (bookingId: string) => `${bookingId}${OWN_EVENT_UID_SUFFIX}`;
