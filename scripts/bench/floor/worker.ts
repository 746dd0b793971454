// The floor's worker: the same Temporal connection and the same tuning (WORKER_* settings) as the pack worker,
// on its own task queue, as its own process. Prints `floor worker ready` once polling.
import { NativeConnection, Runtime, DefaultLogger, Worker } from '@temporalio/worker';
import { z } from 'zod';
import { temporalConnectionOptions } from '../../../src/infra/temporal';
import { workerTuningFromConfig } from '../../../src/worker/worker';

const n = (d: number) => z.coerce.number().int().default(d);
const env = z
  .object({
    TEMPORAL_ADDRESS: z.string(),
    TEMPORAL_NAMESPACE: z.string().default('default'),
    FLOOR_TASK_QUEUE: z.string().default('bench-floor'),
    WORKER_MAX_CACHED_WORKFLOWS: n(500),
    WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: n(40),
    WORKER_MAX_CONCURRENT_ACTIVITIES: n(40),
    WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: n(40),
  })
  .parse(process.env);

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const connection = await NativeConnection.connect(temporalConnectionOptions(env));
  const worker = await Worker.create({
    connection,
    namespace: env.TEMPORAL_NAMESPACE,
    taskQueue: env.FLOOR_TASK_QUEUE,
    workflowsPath: require.resolve('./workflows'),
    ...workerTuningFromConfig(env),
  });
  console.log('floor worker ready');
  try {
    await worker.run();
  } finally {
    await connection.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
