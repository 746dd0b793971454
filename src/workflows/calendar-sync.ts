/**
 * One read of the provider's own calendar, started by its Temporal Schedule (every few minutes, and on demand from
 * the dashboard: src/gateway/calendar/schedule.ts). The activity records its outcome itself; a read that fails is
 * retried by the next run of the schedule, not here, so a calendar that is down costs one attempt per interval.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { CalendarActivities } from '../activities/calendars';
import type { CalendarSyncResult } from '../shared/calendars';

const { syncProviderCalendar } = proxyActivities<CalendarActivities>({
  // The read's own limits end it well before: requests 15 s, reading 10 s.
  startToCloseTimeout: '2 minutes',
  // Only the database can fail the activity itself (the calendar's errors are its result): a few quick retries.
  retry: { initialInterval: '2 seconds', maximumAttempts: 3 },
});

export async function calendarSyncWorkflow(): Promise<CalendarSyncResult> {
  return syncProviderCalendar();
}
