// What a test file takes from the shared local stack, each piece its own: a database cloned from the migrated
// template, a task queue, an SMTP sink on a free port. Nothing here is a mock: these are the real servers.
import type { ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import pg from 'pg';
import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection, Runtime, DefaultLogger, type Worker } from '@temporalio/worker';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { createActivities, type Activities } from '../../src/activities';
import { closePrisma, createPrisma, type PrismaClient } from '../../src/infra/database';
import { createMailer } from '../../src/infra/mailer';
import { SmtpSink } from '../../src/infra/smtp-sink';
import { createStripe } from '../../src/infra/stripe';
import { createWorker } from '../../src/worker/worker';
import { processes, tsxCommand, type ManagedProcess } from '../../scripts/lib/supervisor';

let runtimeInstalled = false;
/** Keeps Temporal's worker logs to warnings so test output stays readable. */
export function quietTemporalRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    /* already installed by another helper in this file */
  }
}

function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is missing: run the tests through 'npm test' (jest's global setup starts the stack)`);
  return v;
}

export const uniqueName = (prefix: string) => `${prefix}_${crypto.randomBytes(5).toString('hex')}`;

export interface TestDatabase {
  url: string;
  prisma: PrismaClient;
  drop(): Promise<void>;
}

/** A fresh database with every migration applied, cloned from the template made by the global setup. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = uniqueName('t');
  const admin = new pg.Client({ connectionString: env('TEST_PG_ADMIN_URL') });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${env('TEST_PG_TEMPLATE')}`);
  } finally {
    await admin.end();
  }
  const url = env('TEST_PG_ADMIN_URL').replace(/\/postgres$/, `/${name}`);
  const prisma = createPrisma(url, 5);
  return {
    url,
    prisma,
    async drop() {
      await closePrisma(prisma);
      const a = new pg.Client({ connectionString: env('TEST_PG_ADMIN_URL') });
      await a.connect();
      try {
        await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await a.end();
      }
    },
  };
}

/**
 * The SMTP sink of a test file (on a free port unless told). Its `stop` closes the connections the mailers keep open
 * (nodemailer pools them) instead of waiting for them: smtp-server waits up to 30 s for open connections before it
 * closes, and each test file's teardown spent about 20 s there. (The sink is src/infra/smtp-sink.ts; its server is
 * private there, hence the element access.)
 */
export async function startSmtpSink(port = 0): Promise<SmtpSink> {
  const sink = await new SmtpSink().start(port);
  const stop = sink.stop.bind(sink);
  sink.stop = async () => {
    const server = sink['server'];
    const stopped = stop();
    for (const connection of (server?.connections ?? []) as Set<{ close(): void }>) connection.close();
    await stopped;
  };
  return sink;
}

export const stripeApiUrl = () => env('TEST_STRIPE_API_URL');
export const testStripe = () => createStripe('sk_test_imaginasite', stripeApiUrl());

/** A client of the shared Temporal dev server (or of the server at `address`). */
export async function devServerClient(dataConverter?: DataConverter, address = env('TEST_TEMPORAL_ADDRESS')): Promise<Client> {
  const connection = await Connection.connect({ address });
  return new Client({ connection, namespace: 'default', dataConverter });
}

export interface RunningWorker {
  worker: Worker;
  taskQueue: string;
  stop(): Promise<void>;
}

/**
 * A worker on its own task queue against the dev server (or the server at `address`), running the bundle built once by
 * the global setup.
 */
export async function startDevWorker(
  activities: Activities,
  taskQueue = uniqueName('tq'),
  dataConverter?: DataConverter,
  address = env('TEST_TEMPORAL_ADDRESS'),
): Promise<RunningWorker> {
  quietTemporalRuntime();
  const connection = await NativeConnection.connect({ address });
  const worker = await createWorker({
    connection,
    namespace: 'default',
    taskQueue,
    activities,
    dataConverter,
    workflowBundlePath: env('WORKFLOW_BUNDLE_PATH'),
  });
  const running = worker.run();
  return {
    worker,
    taskQueue,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await connection.close();
    },
  };
}

export function realActivities(deps: { prisma: PrismaClient; smtpUrl: string }): Activities {
  return createActivities({ prisma: deps.prisma, mailer: createMailer(deps.smtpUrl), stripe: testStripe() });
}

/** Temporal's Java time-skipping test server, provisioned from Maven Central (scripts/provision.mjs). */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  quietTemporalRuntime();
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: env('TEMPORAL_TEST_SERVER_PATH') } },
  });
}

export function workflowBundle(): { codePath: string } {
  return { codePath: env('WORKFLOW_BUNDLE_PATH') };
}

const programs = new WeakMap<ChildProcess, ManagedProcess>();

/**
 * Starts one of the project's programs (`node --import tsx`) as its own process — a worker, a gateway, a PostgreSQL —
 * and waits until its output says `ready`. It runs in a process group of its own under this test file's supervisor
 * (scripts/lib/supervisor.ts): a stop reaches whatever it started, and nothing outlives the test run. The fault tests
 * kill such processes with SIGKILL.
 */
export async function spawnProgram(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  ready: string,
  timeoutMs = 60_000,
): Promise<ChildProcess> {
  const program = await processes.start({
    name: script,
    ...tsxCommand(script, args),
    env: { ...process.env, ...env },
    ready,
    readyTimeoutMs: timeoutMs,
    graceMs: 30_000,
  });
  programs.set(program.child, program);
  return program.child;
}

/** Stops a process (SIGKILL unless told otherwise, and SIGKILL after 30 s) and waits until it is gone. */
export async function stopProgram(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  await programs.get(child)?.stop(signal);
}
