// The benchmark's floor: the least a workflow can do with an update — accept it and answer at once, no activity.
// What the booking costs above this is the product's own cost; this much is Temporal's.
import { condition, defineUpdate, setHandler } from '@temporalio/workflow';

export const ping = defineUpdate<string, [string]>('ping');

export async function floorWorkflow(): Promise<void> {
  let answered = false;
  setHandler(ping, (x: string) => {
    answered = true;
    return x;
  });
  await condition(() => answered);
}
