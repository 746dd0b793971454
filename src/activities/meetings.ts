/**
 * A Zoom meeting per session (issue 17, point 4), when Zoom is configured (ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID,
 * ZOOM_CLIENT_SECRET): created when a session is confirmed, moved when it is rescheduled, deleted when it is cancelled
 * or declined, from the pack's events as they are recorded — before the recording's transaction, so no database lock
 * waits on Zoom. Its join link then goes into that event's emails and invite, the reminders, the provider's agenda
 * and calendar feed. Without Zoom, or while Zoom fails, the fixed ZOOM_MEETING_URL stands in (a failure is logged,
 * and the next event of the session, a reminder at the latest, tries again).
 *
 * Once: the `zoom_meeting` row is written before Zoom is asked and read under its lock; an attempt that died after
 * Zoom created the meeting but before it was recorded finds it again by the booking's reference in its topic.
 */
import type { Pool } from 'pg';
import type { PackEvent } from '../workflows/pack/model';
import { inTransaction } from '../infra/database';
import type { ZoomClient } from '../infra/zoom';

/** The events that give a session its meeting (or move it), and those that end it. */
const KEEPS = new Set(['BOOKING_CONFIRMED', 'BOOKING_RESCHEDULED', 'SESSION_REMINDER']);
const ENDS = new Set(['BOOKING_CANCELLED', 'BOOKING_CANCELLED_BILLED', 'BOOKING_DECLINED']);

/** The booking's reference in its meeting's topic: how an unrecorded meeting is found again. */
export const meetingMarker = (bookingId: string) => `réf. ${bookingId}`;

interface Row {
  meeting_id: string | null;
  join_url: string | null;
  start_at: Date | null;
  duration_minutes: number | null;
  deleted_at: Date | null;
}

export function createMeetings(deps: {
  pool: Pool;
  zoom: ZoomClient | null;
  timezone: string;
  warn: (message: string, fields: Record<string, unknown>) => void;
}) {
  const { pool, zoom } = deps;

  /** The session's meeting at this time, made or moved as needed: its join link (null once the session was cancelled). */
  async function ensure(z: ZoomClient, packId: string, bookingId: string, startIso: string, endIso: string): Promise<string | null> {
    const minutes = Math.round((Date.parse(endIso) - Date.parse(startIso)) / 60_000);
    const startTime = new Date(startIso).toISOString().replace(/\.\d{3}Z$/, 'Z');
    return inTransaction(pool, async (c) => {
      const first = await c.query(
        'INSERT INTO zoom_meeting (booking_id, pack_id) VALUES ($1::uuid, $2::uuid) ON CONFLICT (booking_id) DO NOTHING',
        [bookingId, packId],
      );
      const row = (await c.query<Row>('SELECT * FROM zoom_meeting WHERE booking_id = $1::uuid FOR UPDATE', [bookingId])).rows[0];
      if (row.deleted_at) return null;
      const moved = (m: { start: number; minutes: number }) => m.start !== Date.parse(startTime) || m.minutes !== minutes;
      let meeting: { id: string; joinUrl: string; start: number; minutes: number };
      if (row.meeting_id && row.join_url) {
        meeting = { id: row.meeting_id, joinUrl: row.join_url, start: row.start_at?.getTime() ?? 0, minutes: row.duration_minutes ?? 0 };
      } else {
        // Only an earlier attempt (its row already there) can have made a meeting it did not record.
        const [found] = first.rowCount ? [] : await z.findMeetings(meetingMarker(bookingId));
        const made =
          found ??
          (await z.createMeeting({
            topic: `Séance imaginasite (${meetingMarker(bookingId)})`,
            agenda: 'Accompagnement individuel à distance — imaginasite',
            startTime,
            durationMinutes: minutes,
            timezone: deps.timezone,
          }));
        meeting = { id: made.id, joinUrl: made.joinUrl, start: Date.parse(made.startTime), minutes: made.durationMinutes };
      }
      if (moved(meeting)) await z.updateMeeting(meeting.id, { startTime, durationMinutes: minutes, timezone: deps.timezone });
      await c.query(
        `UPDATE zoom_meeting SET meeting_id = $2, join_url = $3, start_at = $4, duration_minutes = $5, updated_at = now()
          WHERE booking_id = $1::uuid`,
        [bookingId, meeting.id, meeting.joinUrl, new Date(startTime), minutes],
      );
      return meeting.joinUrl;
    });
  }

  /** The session is over before it took place: its meeting goes (one never recorded is looked for on Zoom). */
  async function end(z: ZoomClient, bookingId: string): Promise<void> {
    await inTransaction(pool, async (c) => {
      const row = (await c.query<Row>('SELECT * FROM zoom_meeting WHERE booking_id = $1::uuid FOR UPDATE', [bookingId])).rows[0];
      // No row: no meeting was ever asked for this session.
      if (!row || row.deleted_at) return;
      const ids = row.meeting_id ? [row.meeting_id] : (await z.findMeetings(meetingMarker(bookingId))).map((m) => m.id);
      for (const id of ids) await z.deleteMeeting(id);
      await c.query('UPDATE zoom_meeting SET deleted_at = now(), updated_at = now() WHERE booking_id = $1::uuid', [bookingId]);
    });
  }

  return {
    /**
     * Brings the sessions' meetings in line with the events, in their order; answers each session's join link (absent:
     * the fixed link stands in).
     */
    async sync(packId: string, events: readonly PackEvent[]): Promise<Map<string, string>> {
      const links = new Map<string, string>();
      if (!zoom) return links;
      for (const e of events) {
        const d = e.data as { bookingId?: string; start?: string; end?: string; status?: string };
        if (!d.bookingId || !d.start || !d.end) continue;
        const confirmedOrMoved = e.type !== 'BOOKING_CONFIRMED' || d.status === 'CONFIRMED';
        try {
          if (KEEPS.has(e.type) && confirmedOrMoved) {
            const link = await ensure(zoom, packId, d.bookingId, d.start, d.end);
            if (link) links.set(d.bookingId, link);
            else links.delete(d.bookingId);
          } else if (ENDS.has(e.type)) {
            await end(zoom, d.bookingId);
            links.delete(d.bookingId);
          }
        } catch (err) {
          deps.warn('Zoom meeting not synced: the fixed link stands in until the next try', {
            packId,
            bookingId: d.bookingId,
            event: e.type,
            error: (err as Error).message,
          });
        }
      }
      return links;
    },
  };
}
