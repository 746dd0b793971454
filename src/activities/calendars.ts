/**
 * The provider's own calendar, read into PostgreSQL (the calendar sync workflow's activity). Its busy times replace
 * the last ones read and hold, in calendar_slot, what no session holds already — under the calendar's advisory lock
 * and exclusion constraint, like a reservation (src/activities/packs.ts reserveSlot), so that a booking and a sync
 * can never both hold one instant. A read that fails changes nothing but the source's status: the busy times last
 * read stay in force, and the dashboard shows the error and since when.
 */
import { log } from '@temporalio/activity';
import { inTransaction, poolOf, type PrismaClient } from '../infra/database';
import { openCalendarPassword } from '../infra/calendar-secret';
import { CalendarReadError, readCalendar, type CalendarLimits } from '../infra/calendars';
import type { CalendarSourceKind, CalendarSyncResult } from '../shared/calendars';

/** The advisory lock of the provider's calendar, the one reserveSlot takes ("cal" in ASCII). */
const CALENDAR_LOCK = 0x63616c;

export interface CalendarActivityDeps {
  prisma: PrismaClient;
  /** Decrypts the stored CalDAV password (ACCESS_TOKEN_SECRET). */
  accessTokenSecret: string;
  /** Floating times and all-day events are in this zone. */
  timezone: string;
  limits?: Partial<CalendarLimits>;
}

interface SourceRow {
  kind: CalendarSourceKind;
  url: string;
  username: string | null;
  secret: string | null;
  revision: number;
}

export function createCalendarActivities({ prisma, accessTokenSecret, timezone, limits }: CalendarActivityDeps) {
  const pool = poolOf(prisma);

  /** The outcome of a failed read, on the source it was read from (a source changed meanwhile keeps its own). */
  const recordFailure = async (revision: number, err: CalendarReadError): Promise<CalendarSyncResult> => {
    await pool.query(
      `UPDATE calendar_source SET last_attempt_at = now(), last_error_code = $2, last_error = $3 WHERE id = 1 AND revision = $1`,
      [revision, err.code, err.message.slice(0, 500)],
    );
    log.warn('provider calendar not read', { code: err.code, error: err.message });
    return { outcome: 'FAILED', code: err.code, message: err.message };
  };

  return {
    async syncProviderCalendar(): Promise<CalendarSyncResult> {
      const source = (await pool.query<SourceRow>('SELECT kind, url, username, secret, revision FROM calendar_source WHERE id = 1'))
        .rows[0];
      if (!source) return { outcome: 'NO_SOURCE' };
      const password = source.secret ? openCalendarPassword(source.secret, accessTokenSecret) : null;
      if (source.kind === 'caldav' && source.secret && password === null) {
        return recordFailure(
          source.revision,
          new CalendarReadError('CALENDAR_SECRET_UNREADABLE', 'le mot de passe enregistré ne peut plus être lu : saisissez-le à nouveau'),
        );
      }
      let busy;
      try {
        busy = await readCalendar(
          { kind: source.kind, url: source.url, username: source.username, password },
          { nowMs: Date.now(), zone: timezone, limits },
        );
      } catch (err) {
        if (err instanceof CalendarReadError) return recordFailure(source.revision, err);
        throw err;
      }
      const warning = busy.truncated ? 'calendrier très chargé : seules les premières occurrences ont été lues' : null;
      const stored = await inTransaction(pool, async (c) => {
        await c.query('SELECT pg_advisory_xact_lock($1::bigint)', [CALENDAR_LOCK]);
        // The provider changed or removed the source while it was read: this read is not theirs any more.
        const current = await c.query<{ revision: number }>('SELECT revision FROM calendar_source WHERE id = 1 FOR UPDATE');
        if (current.rows[0]?.revision !== source.revision) return false;
        await c.query('DELETE FROM calendar_busy');
        await c.query(
          `INSERT INTO calendar_busy (during, all_day)
           SELECT tstzrange(s, e, '[)'), a FROM unnest($1::timestamptz[], $2::timestamptz[], $3::boolean[]) AS x(s, e, a)`,
          [busy.ranges.map((r) => new Date(r.startMs)), busy.ranges.map((r) => new Date(r.endMs)), busy.ranges.map((r) => r.allDay)],
        );
        await c.query(`DELETE FROM calendar_slot WHERE source = 'calendar'`);
        await c.query('SELECT calendar_hold_busy(tstzrange(NULL, NULL))');
        await c.query(
          `UPDATE calendar_source SET last_attempt_at = now(), last_success_at = now(), busy_count = $1,
                  last_error_code = $2, last_error = $3 WHERE id = 1`,
          [busy.ranges.length, warning ? 'CALENDAR_TOO_COMPLEX' : null, warning],
        );
        return true;
      });
      if (!stored) return { outcome: 'NO_SOURCE' };
      return { outcome: 'SYNCED', busy: busy.ranges.length, skipped: busy.skipped, truncated: busy.truncated };
    },
  };
}

export type CalendarActivities = ReturnType<typeof createCalendarActivities>;
