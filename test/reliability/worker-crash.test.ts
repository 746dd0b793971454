import type { ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import type { Client } from '@temporalio/client';
import { placeOrder } from '../../src/gateway/orders';
import { ClientEncryptionCodec, ClientKeyStore } from '../../src/infra/codec';
import type { SmtpSink } from '../../src/infra/smtp-sink';
import { DEFAULT_CATALOG } from '../../src/shared/catalog';
import { cancelBooking, getPackState, packWorkflowId, paymentReceived, requestBooking, type PackState } from '../../src/shared/pack';
import { DEFAULT_SETTINGS } from '../../src/shared/policy';
import { CONSENTS, OPEN_ALL_THE_TIME } from '../support/packs';
import {
  createTestDatabase,
  devServerClient,
  spawnProgram,
  startSmtpSink,
  stopProgram,
  stripeApiUrl,
  uniqueName,
  type TestDatabase,
} from '../support/stack';

// Real faults: the worker is a separate process (as in production), killed with SIGKILL while it handles a
// payment, a booking and a cancellation, then started again. Nothing may be lost or done twice.
const DAY = 86_400_000;

describe('worker killed (SIGKILL) in the middle of a payment, a booking and a cancellation', () => {
  let db: TestDatabase;
  let sink: SmtpSink;
  let client: Client;
  let worker: ChildProcess | undefined;
  const taskQueue = uniqueName('crash');

  const startWorker = async () => {
    worker = await spawnProgram(
      'src/worker/main.ts',
      [],
      {
        DATABASE_URL: db.url,
        TEMPORAL_ADDRESS: process.env.TEST_TEMPORAL_ADDRESS,
        TEMPORAL_TASK_QUEUE: taskQueue,
        SMTP_URL: sink.url,
        STRIPE_SECRET_KEY: 'sk_test_imaginasite',
        STRIPE_API_URL: stripeApiUrl(),
        STRIPE_WEBHOOK_SECRET: 'whsec_test',
        PROVIDER_API_TOKEN: 'crash-test-provider-token-0123456789',
        ACCESS_TOKEN_SECRET: 'crash-test-access-token-secret-0123456789',
      },
      'polling task queue',
    );
  };
  const killWorker = () => stopProgram(worker!);

  beforeAll(async () => {
    [db, sink] = await Promise.all([createTestDatabase(), startSmtpSink()]);
    // The worker process encrypts payloads with the clients' keys, as in production: so does this client.
    client = await devServerClient({ payloadCodecs: [new ClientEncryptionCodec(new ClientKeyStore(db.prisma))] });
    await db.prisma.availability.create({ data: { id: 1, ...OPEN_ALL_THE_TIME } });
    await startWorker();
  }, 90_000);
  afterAll(async () => {
    if (worker && worker.exitCode === null) await killWorker();
    await client?.connection.close();
    await sink?.stop();
    await db?.drop();
  });

  const stateOf = (packId: string) => client.workflow.getHandle(packWorkflowId(packId)).query(getPackState);
  const until = async (packId: string, ok: (s: PackState) => boolean, what: string) => {
    for (let i = 0; i < 300; i++) {
      const s = await stateOf(packId).catch(() => undefined);
      if (s && ok(s)) return s;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out waiting for ${what}`);
  };

  test('the pack ends in the right state and each email is sent once', async () => {
    const email = `crash.${Date.now()}@example.org`;
    const placed = await placeOrder(
      { client, prisma: db.prisma, taskQueue, catalog: DEFAULT_CATALOG, settings: DEFAULT_SETTINGS, cgvVersion: 'test' },
      { packCode: 'PACK_1H', quantity: 2, customer: { name: 'Crash Test', email }, paymentMethod: 'card', consents: CONSENTS },
      { orderKey: crypto.randomUUID(), ip: '127.0.0.1', userAgent: 'jest' },
    );
    const handle = client.workflow.getHandle(packWorkflowId(placed.packId));
    await until(placed.packId, () => true, 'the workflow');

    // Payment: the signal is durable as soon as it is accepted; the worker dies while handling it.
    await handle.signal(paymentReceived, {
      method: 'card',
      amountCents: placed.priceCents,
      reference: 'pi_crash',
      paidAt: new Date().toISOString(),
      idempotencyKey: 'stripe:pi_crash',
    });
    await killWorker();
    await startWorker();
    await until(placed.packId, (s) => s.status === 'ACTIVE', 'the payment after the restart');

    // Booking: the update is in flight when the worker dies; the client retries with the same update id.
    const start = new Date(Math.ceil((Date.now() + 3 * DAY) / 3_600_000) * 3_600_000).toISOString();
    const bookingCall = handle.executeUpdate(requestBooking, { args: [{ start }], updateId: 'book-1' });
    await new Promise((r) => setTimeout(r, 50));
    await killWorker();
    await startWorker();
    const { booking } = await bookingCall.catch(() => handle.executeUpdate(requestBooking, { args: [{ start }], updateId: 'book-1' }));
    expect(booking.status).toBe('CONFIRMED');

    // Cancellation, the same way.
    const cancelCall = handle.executeUpdate(cancelBooking, { args: [{ bookingId: booking.id, by: 'client' }], updateId: 'cancel-1' });
    await new Promise((r) => setTimeout(r, 50));
    await killWorker();
    await startWorker();
    const cancelled = await cancelCall.catch(() =>
      handle.executeUpdate(cancelBooking, { args: [{ bookingId: booking.id, by: 'client' }], updateId: 'cancel-1' }),
    );
    expect(cancelled.penalty).toBe(false);

    const final = await until(placed.packId, (s) => s.bookings.length === 1 && s.bookings[0].status === 'CANCELLED', 'the cancellation');
    expect(final.hours).toEqual({ total: 2, used: 0, forfeited: 0, reserved: 0, available: 2 });
    expect(final.payments).toHaveLength(1);
    // The calendar holds nothing for the cancelled session (an activity lost with the killed worker is retried once its
    // 20-second timeout has passed, so this can take that long).
    for (let i = 0; i < 600; i++) {
      const held = await db.prisma.$queryRaw<
        Array<{ n: bigint }>
      >`SELECT count(*) AS n FROM calendar_slot WHERE pack_id = ${placed.packId}::uuid AND released_at IS NULL`;
      if (Number(held[0].n) === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(
      Number(
        (
          await db.prisma.$queryRaw<
            Array<{ n: bigint }>
          >`SELECT count(*) AS n FROM calendar_slot WHERE pack_id = ${placed.packId}::uuid AND released_at IS NULL`
        )[0].n,
      ),
    ).toBe(0);
    await sink.waitFor((m) => m.to.includes(email) && m.subject === 'Séance annulée sans frais', 60_000);
    await new Promise((r) => setTimeout(r, 500));
    const subjects = sink.messages.filter((m) => m.to.includes(email)).map((m) => m.subject);
    expect(subjects).toEqual([
      'Votre commande Pack 1 heure est enregistrée',
      'Paiement reçu : votre pack est actif',
      expect.stringMatching(/^Séance confirmée : /),
      'Séance annulée sans frais',
    ]);
  }, 180_000);
});
