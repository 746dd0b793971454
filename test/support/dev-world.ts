// A pack's world on a real Temporal server in real time (the shared dev server unless told otherwise): a database of
// its own, an SMTP sink (unless the test brings its own SMTP server), a client, and a worker with the real activities
// in this process (unless the test runs the worker as a program of its own, to kill it).
import crypto from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { placeOrder, type PlacedOrder } from '../../src/gateway/orders';
import { ClientEncryptionCodec, ClientKeyStore } from '../../src/infra/codec';
import type { SmtpSink } from '../../src/infra/smtp-sink';
import { DEFAULT_CATALOG, type PackCode } from '../../src/shared/catalog';
import { getPackState, packWorkflowId, paymentReceived, type PackState, type PaymentMethod } from '../../src/shared/pack';
import { DEFAULT_SETTINGS, type PackSettings } from '../../src/shared/policy';
import { CONSENTS, OPEN_ALL_THE_TIME } from './packs';
import {
  createTestDatabase,
  devServerClient,
  realActivities,
  startDevWorker,
  startSmtpSink,
  uniqueName,
  type RunningWorker,
  type TestDatabase,
} from './stack';
import { until, workflowNotFoundYet, type UntilOptions } from './until';

export interface DevWorld {
  db: TestDatabase;
  /** The SMTP sink, unless the world was given an SMTP server of the test's own. */
  sink: SmtpSink | undefined;
  client: Client;
  /** The in-process worker, unless the test runs its own. */
  worker: RunningWorker | undefined;
  taskQueue: string;
  /** An order placed as the gateway places it (every acknowledgment ticked). */
  order(o?: {
    packCode?: PackCode;
    quantity?: number;
    name?: string;
    email?: string;
    paymentMethod?: PaymentMethod;
    settings?: PackSettings;
    /** The same key twice is the same order (a double submit, a retried request). */
    orderKey?: string;
  }): Promise<PlacedOrder>;
  handle(packId: string): WorkflowHandle;
  /** The payment of the whole price, as the Stripe webhook signals it. */
  pay(placed: PlacedOrder, reference?: string): Promise<void>;
  state(packId: string): Promise<PackState>;
  /** Waits until the pack's state (its workflow's query) satisfies `ok`. */
  until(packId: string, ok: (s: PackState) => boolean, what: string, opts?: UntilOptions): Promise<PackState>;
  /**
   * Waits until nothing more can happen to the pack before its next timer or message: its workflow has no task and no
   * activity in hand, and its outbox holds no email waiting. Then no email can still arrive.
   */
  settled(packId: string, opts?: UntilOptions): Promise<void>;
  teardown(): Promise<void>;
}

export async function createDevWorld(
  opts: {
    /** The pack workflows' payloads encrypted with the clients' keys, as in production. */
    encrypted?: boolean;
    /** false: the test starts its worker itself (a program it can kill). */
    worker?: boolean;
    /** An SMTP server of the test's own instead of a sink. */
    smtpUrl?: string;
    /** Another Temporal server than the shared dev server. */
    temporalAddress?: string;
    taskQueue?: string;
  } = {},
): Promise<DevWorld> {
  const [db, sink] = await Promise.all([createTestDatabase(), opts.smtpUrl ? undefined : startSmtpSink()]);
  const dataConverter: DataConverter | undefined = opts.encrypted
    ? { payloadCodecs: [new ClientEncryptionCodec(new ClientKeyStore(db.prisma))] }
    : undefined;
  const client = await devServerClient(dataConverter, opts.temporalAddress);
  await db.prisma.availability.create({ data: { id: 1, ...OPEN_ALL_THE_TIME } });
  const taskQueue = opts.taskQueue ?? uniqueName('tq');
  const smtpUrl = opts.smtpUrl ?? sink!.url;
  const worker =
    opts.worker === false
      ? undefined
      : await startDevWorker(realActivities({ prisma: db.prisma, smtpUrl }), taskQueue, dataConverter, opts.temporalAddress);

  const handle = (packId: string) => client.workflow.getHandle(packWorkflowId(packId));
  const world: DevWorld = {
    db,
    sink,
    client,
    worker,
    taskQueue,
    order: (o = {}) =>
      placeOrder(
        { client, prisma: db.prisma, taskQueue, catalog: DEFAULT_CATALOG, settings: o.settings ?? DEFAULT_SETTINGS, cgvVersion: 'test' },
        {
          packCode: o.packCode ?? 'PACK_1H',
          quantity: o.quantity,
          customer: { name: o.name ?? 'Camille Martin', email: o.email ?? `${uniqueName('client')}@example.org` },
          paymentMethod: o.paymentMethod ?? 'card',
          consents: CONSENTS,
        },
        { orderKey: o.orderKey ?? crypto.randomUUID(), ip: '127.0.0.1', userAgent: 'jest' },
      ),
    handle,
    async pay(placed, reference = `pi_${crypto.randomBytes(6).toString('hex')}`) {
      await handle(placed.packId).signal(paymentReceived, {
        method: placed.paymentMethod,
        amountCents: placed.priceCents,
        reference,
        paidAt: new Date().toISOString(),
        idempotencyKey: `stripe:${reference}`,
      });
    },
    state: (packId) => handle(packId).query(getPackState),
    until: (packId, ok, what, o = {}) =>
      until(() => world.state(packId), ok, what, { retryOn: workflowNotFoundYet, ...o, timeoutMs: o.timeoutMs ?? 30_000 }),
    settled: (packId, o) => packSettled(client, db.prisma, packId, o),
    async teardown() {
      await worker?.stop();
      await client.connection.close();
      await sink?.stop();
      await db.drop();
    },
  };
  return world;
}

/**
 * Waits until nothing more can happen to a pack before its next timer or message: its workflow has no task and no
 * activity in hand, and its outbox holds no email waiting. Then no email can still arrive.
 */
export async function packSettled(client: Client, prisma: TestDatabase['prisma'], packId: string, opts: UntilOptions = {}): Promise<void> {
  await until(
    async () => {
      const { raw } = await client.workflow.getHandle(packWorkflowId(packId)).describe();
      const waiting = await prisma.outboxEmail.count({ where: { packId, status: 'PENDING' } });
      return { task: !!raw.pendingWorkflowTask, activities: (raw.pendingActivities ?? []).length, waiting };
    },
    (s) => !s.task && s.activities === 0 && s.waiting === 0,
    `pack ${packId} to settle (no workflow task, no activity, no email waiting)`,
    { timeoutMs: 30_000, ...opts },
  );
}
