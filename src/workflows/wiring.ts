import { condition, proxyActivities, setHandler, sleep } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { getWiringCheck, type WiringCheckInput, type WiringCheckState } from '../shared/wiring';

const { recordWiringCheck } = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds' });

/** Stores one row through an activity and answers a query with what it stored; lingers so the query can be asked. */
export async function wiringCheckWorkflow(input: WiringCheckInput): Promise<WiringCheckState> {
  const state: WiringCheckState = { checkId: input.checkId, stored: false };
  setHandler(getWiringCheck, () => state);
  const { storedAt } = await recordWiringCheck(input);
  state.stored = true;
  state.storedAt = storedAt;
  await condition(() => false, '1 minute');
  return state;
}

/** A workflow that waits 90 days: on the time-skipping server it completes in seconds. */
export async function longSleepWorkflow(days: number): Promise<string> {
  await sleep(`${days} days`);
  return `slept ${days} days`;
}
