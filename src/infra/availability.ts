/** The provider's published availability, one row in PostgreSQL, read on the calendar's hot path (plain SQL). */
import type { Pool } from 'pg';
import { DEFAULT_AVAILABILITY, type Availability } from '../shared/policy';

export async function readAvailability(pool: Pool): Promise<Availability> {
  const r = await pool.query<{
    timezone: string;
    weekly: Availability['weekly'];
    exceptions: Availability['exceptions'];
    min_notice_hours: number;
    buffer_minutes: number;
    auto_confirm: boolean;
  }>('SELECT timezone, weekly, exceptions, min_notice_hours, buffer_minutes, auto_confirm FROM availability WHERE id = 1');
  const row = r.rows[0];
  if (!row) return DEFAULT_AVAILABILITY;
  return {
    timezone: row.timezone,
    weekly: row.weekly,
    exceptions: row.exceptions,
    minNoticeHours: row.min_notice_hours,
    bufferMinutes: row.buffer_minutes,
    autoConfirm: row.auto_confirm,
  };
}

export async function saveAvailability(pool: Pool, a: Availability): Promise<void> {
  await pool.query(
    `INSERT INTO availability (id, timezone, weekly, exceptions, min_notice_hours, buffer_minutes, auto_confirm, updated_at)
     VALUES (1, $1, $2::jsonb, $3::jsonb, $4, $5, $6, now())
     ON CONFLICT (id) DO UPDATE SET timezone = EXCLUDED.timezone, weekly = EXCLUDED.weekly, exceptions = EXCLUDED.exceptions,
       min_notice_hours = EXCLUDED.min_notice_hours, buffer_minutes = EXCLUDED.buffer_minutes, auto_confirm = EXCLUDED.auto_confirm,
       updated_at = now()`,
    [a.timezone, JSON.stringify(a.weekly), JSON.stringify(a.exceptions), a.minNoticeHours, a.bufferMinutes, a.autoConfirm],
  );
}
