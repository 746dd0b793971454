import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Activities } from '../activities';
import { bundleInChildProcess } from './bundle';

export const WORKFLOWS_PATH = require.resolve('../workflows');

export interface CreateWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: Activities;
  /** A prebuilt bundle (tests build one per run); otherwise the workflows are bundled at start-up, in a child process. */
  workflowBundlePath?: string;
  /** Encrypts payloads per client in production (src/infra/codec.ts). */
  dataConverter?: WorkerOptions['dataConverter'];
  tuning?: WorkerTuning;
}

export type WorkerTuning = Partial<
  Pick<
    WorkerOptions,
    | 'maxCachedWorkflows'
    | 'maxConcurrentActivityTaskExecutions'
    | 'maxConcurrentWorkflowTaskExecutions'
    | 'maxConcurrentLocalActivityExecutions'
  >
>;

/** The worker's explicit tuning from the configuration (README "Performance"); the benchmark's floor worker uses it too. */
export function workerTuningFromConfig(c: {
  WORKER_MAX_CACHED_WORKFLOWS: number;
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: number;
  WORKER_MAX_CONCURRENT_ACTIVITIES: number;
  WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: number;
}): WorkerTuning {
  return {
    maxCachedWorkflows: c.WORKER_MAX_CACHED_WORKFLOWS,
    maxConcurrentWorkflowTaskExecutions: c.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
    maxConcurrentActivityTaskExecutions: c.WORKER_MAX_CONCURRENT_ACTIVITIES,
    maxConcurrentLocalActivityExecutions: c.WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES,
  };
}

export async function createWorker(o: CreateWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: o.connection,
    namespace: o.namespace,
    taskQueue: o.taskQueue,
    activities: o.activities,
    dataConverter: o.dataConverter,
    workflowBundle: o.workflowBundlePath ? { codePath: o.workflowBundlePath } : { code: await bundleInChildProcess(WORKFLOWS_PATH) },
    ...o.tuning,
  });
}
