import type { ChildProcess } from 'node:child_process';
import type { temporal } from '@temporalio/proto';
import { cancelBooking, requestBooking } from '../../src/shared/pack';
import { createDevWorld, type DevWorld } from '../support/dev-world';
import { backendGone, holdLock } from '../support/locks';
import { spawnProgram, stopProgram, stripeApiUrl, uniqueName } from '../support/stack';
import { DAY, hourAfter } from '../support/time';
import { until } from '../support/until';

// Real faults: the worker is a separate process (as in production), killed with SIGKILL while it handles a payment,
// a booking and a cancellation, then started again. Each kill lands mid-operation by construction: a lock of the test
// holds the operation's statement in PostgreSQL, the test sees it waiting, and only then kills the worker. Nothing may
// be lost or done twice.
describe('worker killed (SIGKILL) in the middle of a payment, a booking and a cancellation', () => {
  let w: DevWorld;
  let worker: ChildProcess | undefined;
  const taskQueue = uniqueName('crash');

  const startWorker = async () => {
    worker = await spawnProgram(
      'src/worker/main.ts',
      [],
      {
        DATABASE_URL: w.db.url,
        TEMPORAL_ADDRESS: process.env.TEST_TEMPORAL_ADDRESS,
        TEMPORAL_TASK_QUEUE: taskQueue,
        SMTP_URL: w.sink!.url,
        STRIPE_SECRET_KEY: 'sk_test_imaginasite',
        STRIPE_API_URL: stripeApiUrl(),
        // No STRIPE_WEBHOOK_SECRET nor PROVIDER_API_TOKEN: the gateway's secrets, which a worker runs without.
        ACCESS_TOKEN_SECRET: 'crash-test-access-token-secret-0123456789',
      },
      'polling task queue',
    );
  };

  beforeAll(async () => {
    // The worker process encrypts payloads with the clients' keys, as in production: so does this world's client.
    w = await createDevWorld({ worker: false, encrypted: true, taskQueue });
    await startWorker();
  }, 90_000);
  afterAll(async () => {
    if (worker) await stopProgram(worker);
    await w?.teardown();
  });

  const lockPackRow = (packId: string) => holdLock(w.db.url, 'SELECT 1 FROM pack WHERE id = $1::uuid FOR UPDATE', [packId]);
  const lockCalendar = () => holdLock(w.db.url, 'LOCK TABLE calendar_slot IN SHARE MODE');

  type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
  const events = async (packId: string): Promise<HistoryEvent[]> => (await w.handle(packId).fetchHistory()).events ?? [];
  const after = (all: HistoryEvent[], found: (e: HistoryEvent) => boolean) => all.slice(all.findIndex(found) + 1);
  const updateIdsIn = (all: HistoryEvent[]) =>
    all.flatMap((e) => [
      e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.meta?.updateId,
      e.workflowExecutionUpdateCompletedEventAttributes?.meta?.updateId,
    ]);
  const heldSlots = async (packId: string) =>
    Number(
      (
        await w.db.prisma.$queryRaw<
          Array<{ n: bigint }>
        >`SELECT count(*) AS n FROM calendar_slot WHERE pack_id = ${packId}::uuid AND released_at IS NULL`
      )[0].n,
    );

  test('one SIGKILL lands in a payment, a booking and a cancellation at once: each pack ends right, each email is sent once', async () => {
    const subjects = (email: string) => w.sink!.messages.filter((m) => m.to.includes(email)).map((m) => m.subject);
    const client = (tag: string) => ({ name: 'Crash Test', email: `crash.${tag}.${Date.now()}@example.org`, quantity: 2 });
    const clients = [client('pay'), client('book'), client('cancel')];
    const [a, b, c] = await Promise.all(clients.map((o) => w.order(o)));
    // Each pack brought to the moment before its operation: A unpaid, B paid, C paid with a session booked.
    await Promise.all([w.pay(b), w.pay(c)]);
    await Promise.all([b, c].map((p) => w.until(p.packId, (s) => s.status === 'ACTIVE', 'the payment')));
    const { booking: cBooking } = await w
      .handle(c.packId)
      .executeUpdate(requestBooking, { args: [{ start: hourAfter(Date.now(), 3 * DAY) }] });
    await Promise.all([a, b, c].map((p) => w.settled(p.packId)));

    // C: the cancellation is answered at once (no I/O); its recording then waits on C's row.
    const cLock = await lockPackRow(c.packId);
    const cancelled = await w
      .handle(c.packId)
      .executeUpdate(cancelBooking, { args: [{ bookingId: cBooking.id, by: 'client' }], updateId: 'cancel-1' });
    expect(cancelled.penalty).toBe(false);
    const cWaiter = await cLock.waiter('the recording of the cancellation');
    // B: the booking update is in flight, its reservation waiting on the calendar.
    const bLock = await lockCalendar();
    const bStart = hourAfter(Date.now(), 4 * DAY);
    const bCall = w.handle(b.packId).executeUpdate(requestBooking, { args: [{ start: bStart }], updateId: 'book-1' });
    const bWaiter = await bLock.waiter('the reservation of the session');
    // A: the payment signal is durable once accepted; its invoice, issued first (the confirmation's email carries it),
    // waits on A's row (the invoice's reference to its pack).
    const aLock = await lockPackRow(a.packId);
    await w.pay(a, 'pi_crash');
    const aWaiter = await aLock.waiter('the issuing of the invoice');

    await stopProgram(worker!);
    await Promise.all([aLock, bLock, cLock].map((l) => l.release()));
    await Promise.all(
      [aWaiter, bWaiter, cWaiter].map((x, i) =>
        backendGone(w.db.url, x.pid, `the killed worker's ${['payment', 'booking', 'cancellation'][i]}`),
      ),
    );

    // Each operation was cut in the middle, and nothing of it was kept.
    expect([aWaiter.query, bWaiter.query, cWaiter.query]).toEqual([
      expect.stringMatching(/INSERT INTO invoice\b/i),
      expect.stringMatching(/calendar_slot/i),
      expect.stringMatching(/\bpack\b/i),
    ]);
    const aSignalled = after(await events(a.packId), (e) => !!e.workflowExecutionSignaledEventAttributes);
    expect(aSignalled.some((e) => e.workflowTaskCompletedEventAttributes)).toBe(false); // the task that took the payment never completed
    expect(await w.db.prisma.pack.findUniqueOrThrow({ where: { id: a.packId } })).toMatchObject({
      status: 'AWAITING_PAYMENT',
      paidCents: 0,
    });
    expect(await w.db.prisma.invoice.count({ where: { packId: a.packId } })).toBe(0); // its number went back with it
    expect(updateIdsIn(await events(b.packId))).not.toContain('book-1'); // the booking neither accepted nor answered
    const { raw } = await w.handle(c.packId).describe();
    expect((raw.pendingActivities ?? []).map((x) => x.activityType?.name)).toContain('recordPackEvents'); // started, never completed
    expect((await w.db.prisma.booking.findUniqueOrThrow({ where: { id: cBooking.id } })).status).toBe('CONFIRMED');

    await startWorker();

    // Recovered by the worker started again: the workflow tasks lost with the worker are retried once their 10-second
    // timeout has passed, the recording activity once its 20-second timeout has.
    const { booking: bBooking } = await bCall; // the client's call, still waiting, gets its answer
    expect(bBooking).toMatchObject({ start: bStart, status: 'CONFIRMED' });
    const aState = await w.until(a.packId, (s) => s.status === 'ACTIVE', 'the payment after the restart');
    expect(aState.payments).toHaveLength(1);
    await until(
      () => w.db.prisma.booking.findUniqueOrThrow({ where: { id: cBooking.id } }),
      (row) => row.status === 'CANCELLED',
      'the cancellation to be recorded after the restart',
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    await Promise.all([a, b, c].map((p) => w.settled(p.packId, { timeoutMs: 60_000 })));

    expect((await w.state(b.packId)).hours).toEqual({ total: 2, used: 0, forfeited: 0, reserved: 1, available: 1 });
    expect((await w.state(c.packId)).hours).toEqual({ total: 2, used: 0, forfeited: 0, reserved: 0, available: 2 });
    expect([await heldSlots(a.packId), await heldSlots(b.packId), await heldSlots(c.packId)]).toEqual([0, 1, 0]);
    expect(await w.db.prisma.pack.findUniqueOrThrow({ where: { id: a.packId } })).toMatchObject({
      status: 'ACTIVE',
      paidCents: a.priceCents,
    });
    // One invoice a pack, numbered without a gap: the one whose issuing was cut was issued once, after the restart.
    const invoices = await w.db.prisma.invoice.findMany({
      where: { packId: { in: [a.packId, b.packId, c.packId] } },
      orderBy: { seq: 'asc' },
    });
    expect(invoices.map((i) => i.packId).sort()).toEqual([a.packId, b.packId, c.packId].sort());
    const allSeqs = (
      await w.db.prisma.invoice.findMany({ where: { kind: 'invoice' }, select: { seq: true }, orderBy: { seq: 'asc' } })
    ).map((i) => i.seq);
    expect(allSeqs).toEqual(allSeqs.map((_, i) => i + 1));
    const ordered = 'Votre commande Pack 1 heure est enregistrée';
    const paid = 'Paiement reçu : votre pack est actif';
    const confirmed = expect.stringMatching(/^Séance confirmée : /);
    expect(clients.map((o) => subjects(o.email))).toEqual([
      [ordered, paid],
      [ordered, paid, confirmed],
      [ordered, paid, confirmed, 'Séance annulée sans frais'],
    ]);
  }, 180_000);
});
