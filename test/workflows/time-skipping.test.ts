import { Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { longSleepWorkflow } from '../../src/workflows';
import type { Activities } from '../../src/activities';
import { createTimeSkippingEnv, uniqueName, workflowBundle } from '../support/stack';

describe('time-skipping test server (Java, from Maven Central)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnv();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  test('a workflow that sleeps 90 days completes in seconds of real time', async () => {
    const taskQueue = uniqueName('tq');
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: workflowBundle(),
      activities: {} as Activities,
    });
    const started = Date.now();
    const before = await env.currentTimeMs();
    const result = await worker.runUntil(
      env.client.workflow.execute(longSleepWorkflow, { args: [90], workflowId: uniqueName('sleep'), taskQueue }),
    );
    const skippedDays = (Number(await env.currentTimeMs()) - Number(before)) / 86_400_000;
    expect(result).toBe('slept 90 days');
    expect(skippedDays).toBeGreaterThanOrEqual(90);
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});
