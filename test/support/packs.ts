// A pack's whole world for workflow tests: the time-skipping server (timers take no real time), a worker with the
// real activities, a database of its own, an SMTP sink, stripe-mock. Orders go through the real placeOrder.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { createActivities, type Activities } from '../../src/activities';
import { placeOrder, type OrderRequest } from '../../src/gateway/orders';
import { createMailer, type Mailer } from '../../src/infra/mailer';
import type { SinkMessage, SmtpSink } from '../../src/infra/smtp-sink';
import { DEFAULT_CATALOG, type PackCode } from '../../src/shared/catalog';
import { getPackState, packWorkflowId, paymentReceived, type PackState, type PaymentMethod } from '../../src/shared/pack';
import { DEFAULT_SETTINGS, type Availability, type PackSettings } from '../../src/shared/policy';
import { SEARCH_ATTRIBUTES } from '../../src/shared/search-attributes';
import type { packWorkflow } from '../../src/workflows/pack/workflow';
import {
  createTestDatabase,
  createTimeSkippingEnv,
  startSmtpSink,
  testStripe,
  uniqueName,
  workflowBundle,
  type TestDatabase,
} from './stack';
import { HOUR, hourAfter } from './time';
import { errorText, until, workflowNotFoundYet } from './until';

/** A query unanswered after this long was lost by the test server (see `queryState`); the next one is asked. */
const QUERY_DEADLINE_MS = 10_000;

/** The error of a query whose deadline passed. */
const queryLost = (err: unknown) => /DEADLINE_EXCEEDED|deadline exceeded/i.test(errorText(err));

/** Open every day, all day, no notice, no buffer: tests that are not about availability book freely. */
export const OPEN_ALL_THE_TIME: Availability = {
  timezone: 'Europe/Paris',
  weekly: [1, 2, 3, 4, 5, 6, 7].map((day) => ({ day, from: '00:00', to: '24:00' })),
  exceptions: [],
  minNoticeHours: 0,
  bufferMinutes: 0,
  autoConfirm: true,
};

export const CONSENTS = { equipment: true, skills: true, websiteConditions: true, cgv: true, withdrawalWaiver: true } as const;

export interface PackWorld {
  env: TestWorkflowEnvironment;
  db: TestDatabase;
  sink: SmtpSink;
  taskQueue: string;
  activities: Activities;
  now(): Promise<number>;
  setAvailability(a: Partial<Availability>): Promise<void>;
  order(o?: {
    packCode?: PackCode;
    quantity?: number;
    paymentMethod?: PaymentMethod;
    email?: string;
    settings?: Partial<PackSettings>;
    continueAsNewAfterEvents?: number;
  }): Promise<WorkflowHandle<typeof packWorkflow>>;
  pay(handle: WorkflowHandle<typeof packWorkflow>, o?: { amountCents?: number; key?: string; method?: PaymentMethod }): Promise<PackState>;
  state(handle: WorkflowHandle<typeof packWorkflow>): Promise<PackState>;
  /** Waits (in real time, the workflow's clock frozen) until the predicate holds for the pack's state. */
  until(handle: WorkflowHandle<typeof packWorkflow>, pred: (s: PackState) => boolean, what?: string): Promise<PackState>;
  /** Emails the SMTP sink received for an address. */
  mails(to: string): SinkMessage[];
  /** Waits until the pack's outbox is fully delivered. */
  mailsSettled(packId: string): Promise<void>;
  teardown(): Promise<void>;
}

/** Starts everything; `wrap` may decorate the real activities (to inject a failure, say). */
export async function createPackWorld(
  opts: { wrap?: (a: Activities) => Activities; wrapMailer?: (m: Mailer) => Mailer } = {},
): Promise<PackWorld> {
  const [env, db, sink] = await Promise.all([createTimeSkippingEnv(), createTestDatabase(), startSmtpSink()]);
  // The Java test server accepts search attributes registered through the operator service.
  await env.connection.operatorService.addSearchAttributes({
    namespace: 'default',
    searchAttributes: Object.fromEntries(
      SEARCH_ATTRIBUTES.map((k) => [
        k.name,
        k.type === 'DATETIME'
          ? temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME
          : temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
      ]),
    ),
  });
  const mailer = createMailer(sink.url);
  const real = createActivities({
    prisma: db.prisma,
    mailer: opts.wrapMailer ? opts.wrapMailer(mailer) : mailer,
    stripe: testStripe(),
    settings: { providerEmail: 'prestataire@imaginasite.test' },
  });
  const activities = opts.wrap ? opts.wrap(real) : real;
  const taskQueue = uniqueName('packs');
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: workflowBundle(), activities });
  const running = worker.run();
  await db.prisma.availability.create({ data: { id: 1, ...OPEN_ALL_THE_TIME } });

  /**
   * A query with a deadline of its own. Temporal's Java test server loses a query that reaches a run while it continues
   * as new (the run closes with the query unanswered, and the caller would wait for ever): after the deadline, the
   * query is asked again and reaches the new run. The lost query also keeps time skipping locked, so a test that sleeps
   * afterwards must not query a run that is about to continue as new (pack-reliability's continue-as-new test).
   */
  const queryState = (handle: WorkflowHandle<typeof packWorkflow>) =>
    env.client.connection.withDeadline(Date.now() + QUERY_DEADLINE_MS, () => handle.query(getPackState));
  const world: PackWorld = {
    env,
    db,
    sink,
    taskQueue,
    activities,
    now: async () => Number(await env.currentTimeMs()),
    async setAvailability(a) {
      await db.prisma.availability.update({ where: { id: 1 }, data: a });
    },
    async order(o = {}) {
      const order: OrderRequest = {
        packCode: o.packCode ?? 'PACK_1H',
        quantity: o.quantity,
        customer: { name: 'Camille Martin', email: o.email ?? `${uniqueName('client')}@example.org` },
        paymentMethod: o.paymentMethod ?? 'card',
        consents: CONSENTS,
      };
      const placed = await placeOrder(
        {
          client: env.client,
          prisma: db.prisma,
          taskQueue,
          catalog: DEFAULT_CATALOG,
          settings: { ...DEFAULT_SETTINGS, ...o.settings },
          cgvVersion: 'test',
          continueAsNewAfterEvents: o.continueAsNewAfterEvents,
        },
        order,
        { orderKey: crypto.randomUUID(), ip: '127.0.0.1', userAgent: 'jest', nowMs: await world.now() },
      );
      const handle = env.client.workflow.getHandle<typeof packWorkflow>(packWorkflowId(placed.packId));
      await world.until(handle, () => true);
      return handle;
    },
    async pay(handle, p = {}) {
      const s = await world.state(handle);
      await handle.signal(paymentReceived, {
        method: p.method ?? s.paymentMethod,
        amountCents: p.amountCents ?? s.priceCents,
        reference: `pi_${crypto.randomBytes(6).toString('hex')}`,
        paidAt: new Date(await world.now()).toISOString(),
        idempotencyKey: p.key ?? crypto.randomUUID(),
      });
      return world.until(handle, (x) => x.payments.length > s.payments.length, 'the payment to be recorded');
    },
    state: (handle) =>
      until(
        () => queryState(handle),
        () => true,
        'the pack to answer its query',
        { retryOn: queryLost },
      ),
    until: (handle, pred, what = 'the expected state') =>
      until(() => queryState(handle), pred, what, { intervalMs: 50, retryOn: (e) => workflowNotFoundYet(e) || queryLost(e) }),
    mails: (to) => sink.messages.filter((m) => m.to.includes(to)),
    async mailsSettled(packId) {
      await until(
        () => db.prisma.outboxEmail.count({ where: { packId, status: 'PENDING' } }),
        (pending) => pending === 0,
        `the outbox of pack ${packId} to be delivered`,
      );
    },
    async teardown() {
      worker.shutdown();
      await running;
      await env.teardown();
      await sink.stop();
      await db.drop();
    },
  };
  return world;
}

/** The API error code an update was refused with. */
export async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    const cause = err instanceof WorkflowUpdateFailedError ? err.cause : err;
    if (cause instanceof ApplicationFailure) return cause.type ?? 'NO_TYPE';
    throw err;
  }
  throw new Error('expected the update to be refused, it succeeded');
}

/** Events of a pack's timeline in PostgreSQL, oldest first. */
export async function timeline(w: PackWorld, packId: string): Promise<string[]> {
  const rows = await w.db.prisma.packEvent.findMany({ where: { packId }, orderBy: { id: 'asc' } });
  return rows.map((r) => r.type);
}

/**
 * The first whole hour at least `aheadMs` from now where the shared calendar has `lengthMs` free: tests share one
 * provider calendar (as all packs do), so each takes a time no other test holds.
 */
export async function freeHour(w: PackWorld, aheadMs: number, lengthMs = 8 * HOUR, sessionMs = HOUR): Promise<string> {
  let start = Date.parse(hourAfter(await w.now(), aheadMs));
  for (let i = 0; i < 2000; i++, start += HOUR) {
    // The availability is open every day from 00:00 to 24:00 (Paris): a session may not run past midnight.
    if (parisDay(start) !== parisDay(start + sessionMs - 1)) continue;
    const clash = await w.db.prisma.$queryRaw<unknown[]>`
      SELECT 1 FROM calendar_slot WHERE released_at IS NULL
      AND during && tstzrange(${new Date(start)}::timestamptz, ${new Date(start + lengthMs)}::timestamptz)`;
    if (clash.length === 0) return new Date(start).toISOString();
  }
  throw new Error('no free hour found');
}

const PARIS_DAY = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' });
const parisDay = (ms: number) => PARIS_DAY.format(ms);

export const HISTORIES_DIR = path.join(__dirname, '..', 'histories');

/**
 * With RECORD_HISTORIES=1, writes the workflow's history (every run of it) to test/histories/<name>[.runN].history.pb
 * (the protobuf encoding, as Temporal stores it), for
 * the replay test that guards every change to the workflow code (README, "Changing the workflow").
 */
export async function saveHistory(w: PackWorld, handle: { workflowId: string }, name: string): Promise<void> {
  if (!process.env.RECORD_HISTORIES) return;
  fs.mkdirSync(HISTORIES_DIR, { recursive: true });
  // Walk back from the latest run through each run's `continuedExecutionRunId`.
  const histories = [];
  let runId: string | undefined = (await w.env.client.workflow.getHandle(handle.workflowId).describe()).runId;
  for (let i = 0; runId && i < 50; i++) {
    const history = await w.env.client.workflow.getHandle(handle.workflowId, runId).fetchHistory();
    histories.unshift(history);
    runId = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId || undefined;
  }
  histories.forEach((history, i) => {
    const file = path.join(HISTORIES_DIR, `${name}${histories.length > 1 ? `.run${i + 1}` : ''}.history.pb`);
    fs.writeFileSync(file, temporal.api.history.v1.History.encode(history).finish());
  });
}
