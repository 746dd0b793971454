/**
 * How the pack workflow calls its activities: their timeouts and retries, and which path each generation of packs
 * takes. Packs live for months, so the code of every earlier generation still runs: each `patched()` below writes a
 * marker into the history the first time it is called (and, on replay, answers from the history). Each one must
 * stay where it is — called at the same point, under the same conditions, in the same order — or running packs stop
 * replaying (README "Changing the workflow").
 */
import { patched, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { PackState } from '../../shared/pack';
import type { Effect, PackEvent } from './model';

/** Calendar reservations answer a client who is waiting: a few quick attempts, then a clear failure. */
const calendar = proxyActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 4, initialInterval: '200 ms', backoffCoefficient: 2 },
});
/**
 * Since the benchmark (README "Performance"): the reservation runs as a local activity, inside the workflow task that
 * took the update, so the client's answer costs one round trip to Temporal instead of three. Packs whose history
 * already reserved through a normal activity keep doing so (`patched`), so their replay is unchanged.
 */
const localCalendar = proxyLocalActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 4, initialInterval: '200 ms', backoffCoefficient: 2 },
});
export const reserveSlot: Activities['reserveSlot'] = (a) =>
  patched('reserve-slot-local-activity') ? localCalendar.reserveSlot(a) : calendar.reserveSlot(a);

/**
 * Everything else must happen eventually: retried until it does (a database or SMTP outage only delays it). An attempt
 * lost with its worker (SIGKILL) is retried once this timeout passes, and the pack's next effects wait until then:
 * kept short (each attempt is small and idempotent). Timeouts are not part of replay, so changing them is safe.
 */
export const durable = proxyActivities<Activities>({
  startToCloseTimeout: '20 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

/**
 * The recording as a local activity (see `chooseRecording`). Same timeout and retries as `durable`; past 10 s of
 * retrying, the SDK waits on a timer between attempts.
 */
const durableLocal = proxyLocalActivities<Activities>({
  startToCloseTimeout: '20 seconds',
  localRetryThreshold: '10 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

/** A slow SMTP server must not hold the workflow task (and the pack's next messages): the mail lane finishes the job. */
const LOCAL_DELIVERY_BUDGET_MS = 2000;

/**
 * The effects lane's first step. Since inline delivery made recording slower, a freed calendar slot goes first:
 * another client may be waiting for it. Gated like inline delivery, so older packs replay in their recorded order;
 * the marker is asked only when a release waits behind other effects.
 */
export function releaseSlotsFirst(effects: Effect[]): void {
  const release = effects.findIndex((e) => e.kind === 'releaseSlot');
  if (release > 0 && patched('deliver-with-record')) effects.unshift(...effects.splice(release, 1));
}

/**
 * How a batch of timeline events is recorded, one generation of packs after the other:
 * - `activity`: packs started before 'deliver-with-record' — a normal activity records, the mail lane sends the emails;
 * - `activity-delivering`: the activity that queues the emails also sends them (one activity instead of two), the mail
 *   lane only takes what could not go at once. Kept right after an update (a local activity would hold the workflow
 *   task, and so the client's answer, until it finished) and for packs started before 'record-in-local-activity';
 * - `local-delivering`: when no client waits on the task (the timer that expires a pack, a payment signal, a new
 *   order), a local activity records inside the workflow task, and sends for LOCAL_DELIVERY_BUDGET_MS at most.
 *   Temporal then writes one workflow task instead of an activity's three events and a second task.
 */
export type RecordingMode = 'activity' | 'activity-delivering' | 'local-delivering';

/**
 * Chooses the recording of the next batch. Called once per batch of events, and only then: 'deliver-with-record' is
 * asked first, every time; 'record-in-local-activity' next, whenever the first holds, whether or not an update was
 * just answered — the order and the conditions in which the packs' histories recorded the markers.
 */
export function chooseRecording(afterUpdate: boolean): RecordingMode {
  const delivering = patched('deliver-with-record');
  const local = delivering && patched('record-in-local-activity') && !afterUpdate;
  if (local) return 'local-delivering';
  return delivering ? 'activity-delivering' : 'activity';
}

/**
 * Records a batch of events with the pack's projection in the chosen mode. Not an async function on purpose: the
 * effects lane awaits the activity's own promise, as it always did (an extra async layer would resume the lane a few
 * microtasks later, after an update handler of the same activation, and reorder the task's commands).
 */
export function recordPackEvents(
  mode: RecordingMode,
  batch: { packId: string; events: PackEvent[]; projection: PackState & { seq: number } },
  withMail: boolean,
): ReturnType<Activities['recordPackEvents']> {
  if (mode === 'local-delivering') {
    return durableLocal.recordPackEvents({ ...batch, deliver: withMail, deliverWithinMs: LOCAL_DELIVERY_BUDGET_MS });
  }
  return durable.recordPackEvents({ ...batch, deliver: mode === 'activity-delivering' && withMail });
}

/**
 * Issues an invoice or a credit note (once per key: the activity finds a document its key already issued). When no
 * client waits on the workflow task, as a local activity inside it: the payment's confirmation that follows is then
 * recorded in the same task, and the pack is ACTIVE with its invoice one round trip sooner. Packs from before invoices
 * never reach this (see ./documents.ts). Not an async function, for the reason `recordPackEvents` gives.
 */
export function issueDocument(
  afterUpdate: boolean,
  request: Parameters<Activities['issueDocument']>[0],
): ReturnType<Activities['issueDocument']> {
  return afterUpdate ? durable.issueDocument(request) : durableLocal.issueDocument(request);
}

/** Whether a recorded batch leaves emails for the mail lane: all of them, unless the recording delivered them all. */
export function emailsLeft(mode: RecordingMode, withMail: boolean, recorded: { emailsPending?: boolean }): boolean {
  return withMail && !(mode !== 'activity' && recorded.emailsPending === false);
}
