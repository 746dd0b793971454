/**
 * The provider's calendars, as the API and the dashboard use them: the sessions feed's address (and its revocation),
 * and the calendar the busy times are read from — connected, read now, or removed, with its Temporal Schedule.
 */
import { sealCalendarPassword } from '../../infra/calendar-secret';
import type { CalendarSourceKind, CalendarSyncError } from '../../shared/calendars';
import type { GatewayContext } from '../context';
import { CALENDAR_ERROR_LABELS, label } from '../views/labels';
import type { CalendarSourceRow } from './data';
import { CalendarSchedule } from './schedule';
import type { CalendarSourceInput } from './source-input';

/** The calendar connected and how its reads went (the API's `source`). */
export interface CalendarSourceView {
  kind: CalendarSourceKind;
  url: string;
  username: string | null;
  hasPassword: boolean;
  intervalMinutes: number;
  lastAttemptAt: string | null;
  lastSuccessAt: string | null;
  busyCount: number | null;
  /** The last read failed (or, with `lastSuccessAt` equal to `lastAttemptAt`, succeeded with this warning). */
  error: { code: CalendarSyncError; label: string; message: string | null; since: string | null } | null;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function sourceView(s: CalendarSourceRow): CalendarSourceView {
  return {
    kind: s.kind,
    url: s.url,
    username: s.username,
    hasPassword: s.hasPassword,
    intervalMinutes: s.intervalMinutes,
    lastAttemptAt: iso(s.lastAttemptAt),
    lastSuccessAt: iso(s.lastSuccessAt),
    busyCount: s.busyCount,
    error: s.lastErrorCode
      ? {
          code: s.lastErrorCode,
          label: label(CALENDAR_ERROR_LABELS, s.lastErrorCode, 'erreur de lecture'),
          message: s.lastError,
          // Failing since the last success (or since it was connected).
          since: iso(s.lastSuccessAt && s.lastSuccessAt.getTime() !== s.lastAttemptAt?.getTime() ? s.lastSuccessAt : s.lastAttemptAt),
        }
      : null,
  };
}

export class ProviderCalendars {
  private readonly schedule: CalendarSchedule;

  constructor(private readonly ctx: GatewayContext) {
    this.schedule = new CalendarSchedule(ctx.client, ctx.config.TEMPORAL_TASK_QUEUE);
  }

  async feedUrl(): Promise<string> {
    return `${this.ctx.publicUrl}/calendar/${await this.ctx.data.calendarFeedToken()}.ics`;
  }

  async revokeFeed(): Promise<string> {
    return `${this.ctx.publicUrl}/calendar/${await this.ctx.data.revokeCalendarFeed()}.ics`;
  }

  source = () => this.ctx.data.calendarSource();

  /** Connects a calendar (or changes it) and reads it at once; waits up to `waitMs` for that first read. */
  async connect(input: CalendarSourceInput, waitMs = 0): Promise<CalendarSourceRow> {
    const current = await this.ctx.data.calendarSource();
    const same = Boolean(current && current.kind === input.kind && current.url === input.url && current.username === input.username);
    // A new password is sealed; none for the same calendar keeps its password and status; an ICS address has none.
    const secret =
      input.password !== null ? sealCalendarPassword(input.password, this.ctx.config.ACCESS_TOKEN_SECRET) : same ? undefined : null;
    const saved = await this.ctx.data.saveCalendarSource({ ...input, secret });
    await this.schedule.ensure(saved.intervalMinutes);
    return waitMs > 0 && secret !== undefined ? this.waitForRead(saved, waitMs) : saved;
  }

  /** A read now; undefined when no calendar is connected. */
  async syncNow(waitMs = 0): Promise<CalendarSourceRow | undefined> {
    const current = await this.ctx.data.calendarSource();
    if (!current) return undefined;
    await this.schedule.trigger(current.intervalMinutes);
    return waitMs > 0 ? this.waitForRead(current, waitMs) : current;
  }

  async disconnect(): Promise<void> {
    await this.schedule.remove();
    await this.ctx.data.removeCalendarSource();
  }

  /** The source once a read after `before` is recorded, or as it is when `waitMs` runs out. */
  private async waitForRead(before: CalendarSourceRow, waitMs: number): Promise<CalendarSourceRow> {
    const until = Date.now() + waitMs;
    const since = before.lastAttemptAt?.getTime() ?? 0;
    for (;;) {
      const now = await this.ctx.data.calendarSource();
      if (!now || now.revision !== before.revision || (now.lastAttemptAt?.getTime() ?? 0) > since || Date.now() >= until)
        return now ?? before;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
