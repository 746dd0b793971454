import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection, WorkflowUpdateFailedError } from '@temporalio/client';
import { processes, tsxCommand, type ManagedProcess } from '../../scripts/lib/supervisor';
import { packWorkflowId } from '../../src/shared/pack';
import { createDevWorld, type DevWorld } from '../support/dev-world';
import { stripeApiUrl, uniqueName } from '../support/stack';
import { DAY, hourAfter } from '../support/time';
import { until } from '../support/until';

// Whoever reaches the Temporal Web UI or the CLI can send a pack's workflow a message typed as plain JSON, without
// the client's key (issue 15, finding 1: a `paymentReceived` sent that way made the pack ACTIVE unpaid). The worker —
// its own process, started as in production — decodes in a pack's context only what it can decrypt: the plain
// signal is dropped with a log line and the pack stays unpaid, a plain update is rejected, and the pack still takes
// its real messages afterwards.
describe('a message sent to a pack’s workflow without its client’s encryption', () => {
  let w: DevWorld;
  let worker: ManagedProcess | undefined;
  /** A client with no codec: what the Web UI or the CLI sends without the codec endpoint. */
  let plain: Client;
  const taskQueue = uniqueName('plain');
  const workerLog = path.join(process.env.TEST_STACK_DIR!, 'logs', `${taskQueue}-worker.log`);

  beforeAll(async () => {
    w = await createDevWorld({ worker: false, encrypted: true, taskQueue });
    plain = new Client({ connection: await Connection.connect({ address: process.env.TEST_TEMPORAL_ADDRESS! }) });
    worker = await processes.start({
      name: 'worker',
      ...tsxCommand('src/worker/main.ts'),
      env: {
        ...process.env,
        DATABASE_URL: w.db.url,
        TEMPORAL_ADDRESS: process.env.TEST_TEMPORAL_ADDRESS,
        TEMPORAL_TASK_QUEUE: taskQueue,
        SMTP_URL: w.sink!.url,
        STRIPE_SECRET_KEY: 'sk_test_imaginasite',
        STRIPE_API_URL: stripeApiUrl(),
        STRIPE_WEBHOOK_SECRET: 'whsec_test',
        PROVIDER_API_TOKEN: 'plain-payload-provider-token-0123456789',
        ACCESS_TOKEN_SECRET: 'plain-payload-access-token-secret-0123456789',
        LOG_LEVEL: 'info',
      },
      log: workerLog,
      ready: 'polling task queue',
      readyTimeoutMs: 60_000,
      graceMs: 30_000,
    });
  }, 90_000);
  afterAll(async () => {
    await worker?.stop();
    await plain?.connection.close();
    await w?.teardown();
  });

  const subjects = (email: string) => w.sink!.messages.filter((m) => m.to.includes(email)).map((m) => m.subject);
  const encodings = async (packId: string) =>
    ((await plain.workflow.getHandle(packWorkflowId(packId)).fetchHistory()).events ?? []).flatMap((e) =>
      (e.workflowExecutionSignaledEventAttributes?.input?.payloads ?? []).map((p) => Buffer.from(p.metadata!.encoding).toString()),
    );
  /** Waits for a line of the worker's log (one JSON object per line). */
  const logged = (line: RegExp, what: string) =>
    until(
      () => (fs.existsSync(workerLog) ? fs.readFileSync(workerLog, 'utf8').split('\n') : []),
      (lines) => lines.some((l) => line.test(l)),
      what,
    );
  const refusalLogged = (packId: string) =>
    logged(
      new RegExp(`"message":"refused an unencrypted payload sent to a pack","workflowId":"${packWorkflowId(packId)}"`),
      'the worker’s log line of the refused payload',
    );

  test('a payment signal typed as plain JSON is dropped with a log line: the pack stays unpaid, and its real payment still activates it', async () => {
    const email = `${uniqueName('plain')}@example.org`;
    const placed = await w.order({ email, paymentMethod: 'card' });
    await w.until(placed.packId, (s) => s.status === 'AWAITING_PAYMENT', 'the order');

    await plain.workflow.getHandle(packWorkflowId(placed.packId)).signal('paymentReceived', {
      method: 'card',
      amountCents: placed.priceCents,
      reference: 'pi_forged',
      paidAt: new Date().toISOString(),
      idempotencyKey: 'stripe:pi_forged',
    });
    expect(await encodings(placed.packId)).toEqual(['json/plain']); // it is in the pack's history, unencrypted
    await w.settled(placed.packId); // the task that carried the signal completed: nothing more comes of it

    expect(await w.state(placed.packId)).toMatchObject({ status: 'AWAITING_PAYMENT', paidCents: 0, payments: [] });
    expect(await w.db.prisma.pack.findUniqueOrThrow({ where: { id: placed.packId } })).toMatchObject({
      status: 'AWAITING_PAYMENT',
      paidCents: 0,
    });
    expect(subjects(email)).toEqual(['Votre commande Pack 1 heure est enregistrée']);
    await refusalLogged(placed.packId);
    await logged(/"message":"ignored a malformed payment signal"/, 'the workflow’s log line of the dropped signal');

    // The pack was not blocked by the stray signal: the payment Stripe's webhook signals (encrypted) activates it.
    await w.pay(placed, 'pi_real');
    const paid = await w.until(placed.packId, (s) => s.status === 'ACTIVE', 'the real payment');
    expect(paid.payments.map((p) => [p.reference, p.amountCents])).toEqual([['pi_real', placed.priceCents]]);
    expect(await encodings(placed.packId)).toEqual(['json/plain', 'binary/encrypted']);
  });

  test('a booking update typed as plain JSON is rejected: no session is booked', async () => {
    const placed = await w.order({ paymentMethod: 'card' });
    await w.pay(placed);
    await w.until(placed.packId, (s) => s.status === 'ACTIVE', 'the payment');

    const update = plain.workflow
      .getHandle(packWorkflowId(placed.packId))
      .executeUpdate('requestBooking', { args: [{ start: hourAfter(Date.now(), 3 * DAY) }] });
    await expect(update).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
    await refusalLogged(placed.packId);

    await w.settled(placed.packId);
    const state = await w.state(placed.packId);
    expect([state.bookings, state.hours.reserved]).toEqual([[], 0]);
    expect(await w.db.prisma.booking.count({ where: { packId: placed.packId } })).toBe(0);
  });
});
