/**
 * The provider's calendars in PostgreSQL, as the gateway reads and writes them (part of the gateway's data module,
 * src/gateway/data.ts): the private feed's token, the sessions it lists, the calendar the busy times are read from
 * and the outcome of its last reads.
 */
import crypto from 'node:crypto';
import type { Pool } from 'pg';
import { inTransaction } from '../../infra/database';
import type { CalendarSourceKind, CalendarSyncError } from '../../shared/calendars';
import type { BookingStatus } from '../../shared/policy';

/** The advisory lock of the provider's calendar, the one reservations and syncs take ("cal" in ASCII). */
const CALENDAR_LOCK = 0x63616c;

export interface CalendarSourceRow {
  kind: CalendarSourceKind;
  url: string;
  username: string | null;
  hasPassword: boolean;
  intervalMinutes: number;
  revision: number;
  updatedAt: Date;
  lastAttemptAt: Date | null;
  lastSuccessAt: Date | null;
  lastErrorCode: CalendarSyncError | null;
  lastError: string | null;
  busyCount: number | null;
}

export interface NewCalendarSource {
  kind: CalendarSourceKind;
  url: string;
  username: string | null;
  /** The sealed CalDAV password (null: none); undefined for the same calendar (kind, URL, user), whose password and status stay. */
  secret: string | null | undefined;
  intervalMinutes: number;
}

/** A session as the provider's feed lists it. */
export interface FeedSession {
  bookingId: string;
  packId: string;
  packCode: string;
  start: Date;
  end: Date;
  hours: number;
  status: BookingStatus;
  revision: number;
  updatedAt: Date;
  customerName: string;
  /** The session's own Zoom meeting, if it has one (else the fixed link). */
  joinUrl: string | null;
}

export function createCalendarData(pool: Pool) {
  const one = async <T extends object>(sql: string, params: unknown[] = []): Promise<T | undefined> =>
    (await pool.query<T>(sql, params)).rows[0];

  const calendarSource = () =>
    one<CalendarSourceRow>(
      `SELECT kind, url, username, secret IS NOT NULL AS "hasPassword", interval_minutes AS "intervalMinutes", revision,
              updated_at AS "updatedAt", last_attempt_at AS "lastAttemptAt", last_success_at AS "lastSuccessAt",
              last_error_code AS "lastErrorCode", last_error AS "lastError", busy_count AS "busyCount"
         FROM calendar_source WHERE id = 1`,
    );

  return {
    calendarSource,

    /** Sets the calendar the busy times are read from; its status starts afresh (a new revision). */
    async saveCalendarSource(s: NewCalendarSource): Promise<CalendarSourceRow> {
      await pool.query(
        `INSERT INTO calendar_source (id, kind, url, username, secret, interval_minutes)
         VALUES (1, $1, $2, $3, $4, $5)
         ON CONFLICT (id) DO UPDATE SET
           secret = CASE WHEN $6::boolean THEN calendar_source.secret ELSE EXCLUDED.secret END,
           last_attempt_at = CASE WHEN $6 THEN calendar_source.last_attempt_at END,
           last_success_at = CASE WHEN $6 THEN calendar_source.last_success_at END,
           last_error_code = CASE WHEN $6 THEN calendar_source.last_error_code END,
           last_error = CASE WHEN $6 THEN calendar_source.last_error END,
           busy_count = CASE WHEN $6 THEN calendar_source.busy_count END,
           revision = calendar_source.revision + CASE WHEN $6 THEN 0 ELSE 1 END,
           kind = EXCLUDED.kind, url = EXCLUDED.url, username = EXCLUDED.username,
           interval_minutes = EXCLUDED.interval_minutes, updated_at = now()`,
        [s.kind, s.url, s.username, s.secret ?? null, s.intervalMinutes, s.secret === undefined],
      );
      return (await calendarSource())!;
    },

    /** Forgets the calendar and the busy times read from it (sessions keep theirs). */
    async removeCalendarSource(): Promise<void> {
      await inTransaction(pool, async (c) => {
        await c.query('SELECT pg_advisory_xact_lock($1::bigint)', [CALENDAR_LOCK]);
        await c.query('DELETE FROM calendar_source');
        await c.query('DELETE FROM calendar_busy');
        await c.query(`DELETE FROM calendar_slot WHERE source = 'calendar'`);
      });
    },

    /** The busy times last read that meet [from, to), for the agenda. */
    busyTimes: async (fromMs: number, toMs: number) =>
      (
        await pool.query<{ start: Date; end: Date; allDay: boolean }>(
          `SELECT lower(during) AS start, upper(during) AS "end", all_day AS "allDay" FROM calendar_busy
            WHERE during && tstzrange($1::timestamptz, $2::timestamptz) ORDER BY lower(during)`,
          [new Date(fromMs), new Date(toMs)],
        )
      ).rows,

    // ----------------------------------------------------------------------------------------- the sessions feed

    /** The feed's token, made the first time it is asked for. */
    async calendarFeedToken(): Promise<string> {
      const current = await one<{ token: string }>('SELECT token FROM calendar_feed WHERE revoked_at IS NULL');
      if (current) return current.token;
      await pool.query('INSERT INTO calendar_feed (token) VALUES ($1) ON CONFLICT DO NOTHING', [
        crypto.randomBytes(24).toString('base64url'),
      ]);
      return (await one<{ token: string }>('SELECT token FROM calendar_feed WHERE revoked_at IS NULL'))!.token;
    },

    /** A new token; the old one answers 404 from now on. */
    async revokeCalendarFeed(): Promise<string> {
      const token = crypto.randomBytes(24).toString('base64url');
      await inTransaction(pool, async (c) => {
        await c.query('UPDATE calendar_feed SET revoked_at = now() WHERE revoked_at IS NULL');
        await c.query('INSERT INTO calendar_feed (token) VALUES ($1)', [token]);
      });
      return token;
    },

    async calendarFeedValid(token: string): Promise<boolean> {
      return Boolean(await one('SELECT 1 FROM calendar_feed WHERE token = $1 AND revoked_at IS NULL', [token]));
    },

    /** Every session from `sinceMs` on (the declined requests too: a calendar removes what it showed as tentative). */
    feedSessions: async (sinceMs: number, limit = 5000) =>
      (
        await pool.query<FeedSession>(
          `SELECT b.id::text AS "bookingId", b.pack_id::text AS "packId", p.pack_code AS "packCode", b.start, b."end", b.hours,
                  b.status, b.revision, b.updated_at AS "updatedAt", c.name AS "customerName",
                  CASE WHEN z.deleted_at IS NULL THEN z.join_url END AS "joinUrl"
             FROM booking b JOIN pack p ON p.id = b.pack_id JOIN customer c ON c.id = p.customer_id
             LEFT JOIN zoom_meeting z ON z.booking_id = b.id
            WHERE b."end" >= $1 ORDER BY b.start LIMIT $2`,
          [new Date(sinceMs), limit],
        )
      ).rows,
  };
}

export type CalendarData = ReturnType<typeof createCalendarData>;
