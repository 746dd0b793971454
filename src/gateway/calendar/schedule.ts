/**
 * The Temporal Schedule that reads the provider's calendar (src/workflows/calendar-sync.ts): made or updated when the
 * provider connects a calendar, triggered on demand from the dashboard, deleted when the calendar is removed. One per
 * task queue (`calendar-sync-<queue>`), so that it starts the workflow on the workers of its own queue.
 */
import { ScheduleNotFoundError, ScheduleOverlapPolicy, type Client, type ScheduleUpdateOptions } from '@temporalio/client';
import { calendarSyncScheduleId } from '../../shared/calendars';

export class CalendarSchedule {
  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
  ) {}

  get id(): string {
    return calendarSyncScheduleId(this.taskQueue);
  }

  private options(intervalMinutes: number): Omit<ScheduleUpdateOptions, 'state'> {
    return {
      spec: { intervals: [{ every: `${intervalMinutes}m` }] },
      action: {
        type: 'startWorkflow',
        workflowType: 'calendarSyncWorkflow',
        workflowId: this.id,
        taskQueue: this.taskQueue,
        args: [],
        workflowExecutionTimeout: '5 minutes',
      },
      // A read still running when the next one is due is enough; runs missed while Temporal was away are not caught up.
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 minute' },
    };
  }

  /** The schedule at this interval; a new one reads the calendar at once. */
  async ensure(intervalMinutes: number): Promise<void> {
    const handle = this.client.schedule.getHandle(this.id);
    try {
      await handle.update((previous) => ({ ...previous, ...this.options(intervalMinutes) }));
      await handle.trigger(ScheduleOverlapPolicy.BUFFER_ONE);
    } catch (err) {
      if (!(err instanceof ScheduleNotFoundError)) throw err;
      await this.client.schedule.create({ scheduleId: this.id, ...this.options(intervalMinutes), state: { triggerImmediately: true } });
    }
  }

  /** A read now (after the one running, if any). */
  async trigger(intervalMinutes: number): Promise<void> {
    try {
      await this.client.schedule.getHandle(this.id).trigger(ScheduleOverlapPolicy.BUFFER_ONE);
    } catch (err) {
      if (!(err instanceof ScheduleNotFoundError)) throw err;
      await this.ensure(intervalMinutes);
    }
  }

  async remove(): Promise<void> {
    try {
      await this.client.schedule.getHandle(this.id).delete();
    } catch (err) {
      if (!(err instanceof ScheduleNotFoundError)) throw err;
    }
  }
}
