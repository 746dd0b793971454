import crypto from 'node:crypto';
import net from 'node:net';
import type { Client } from '@temporalio/client';
import { placeOrder } from '../../src/gateway/orders';
import { SmtpSink } from '../../src/infra/smtp-sink';
import { DEFAULT_CATALOG } from '../../src/shared/catalog';
import { getPackState, packWorkflowId, paymentReceived, requestBooking, type PackState } from '../../src/shared/pack';
import { DEFAULT_SETTINGS } from '../../src/shared/policy';
import { CONSENTS, OPEN_ALL_THE_TIME } from '../support/packs';
import {
  createTestDatabase,
  devServerClient,
  realActivities,
  startDevWorker,
  type RunningWorker,
  type TestDatabase,
} from '../support/stack';

/** A one-hour card order, placed the way the gateway places it. */
function orderOneHour(deps: { client: Client; prisma: TestDatabase['prisma']; taskQueue: string }, name: string, email: string) {
  return placeOrder(
    { ...deps, catalog: DEFAULT_CATALOG, settings: DEFAULT_SETTINGS, cgvVersion: 'test' },
    { packCode: 'PACK_1H', customer: { name, email }, paymentMethod: 'card', consents: CONSENTS },
    { orderKey: crypto.randomUUID(), ip: '127.0.0.1', userAgent: 'jest' },
  );
}

// SMTP down, then back: the packs go on (payment, booking) while emails wait in the outbox; once the server is back
// they go out, once each, in order.
describe('SMTP server down, then back', () => {
  let db: TestDatabase;
  let sink: SmtpSink;
  let client: Client;
  let worker: RunningWorker;
  let port: number;

  beforeAll(async () => {
    [db, client] = await Promise.all([createTestDatabase(), devServerClient()]);
    sink = await new SmtpSink().start(0);
    port = sink.port;
    await db.prisma.availability.create({ data: { id: 1, ...OPEN_ALL_THE_TIME } });
    worker = await startDevWorker(realActivities({ prisma: db.prisma, smtpUrl: sink.url }));
  });
  afterAll(async () => {
    await worker?.stop();
    await client?.connection.close();
    await sink?.stop();
    await db?.drop();
  });

  const until = async (packId: string, ok: (s: PackState) => boolean, what: string) => {
    for (let i = 0; i < 200; i++) {
      const s = await client.workflow
        .getHandle(packWorkflowId(packId))
        .query(getPackState)
        .catch(() => undefined);
      if (s && ok(s)) return s;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out waiting for ${what}`);
  };

  test('emails wait while SMTP is down, the pack is not blocked, and they go out once each, in order', async () => {
    await sink.stop();
    const email = `outage.${Date.now()}@example.org`;
    const placed = await orderOneHour({ client, prisma: db.prisma, taskQueue: worker.taskQueue }, 'Panne Mail', email);
    const handle = client.workflow.getHandle(packWorkflowId(placed.packId));
    await until(placed.packId, () => true, 'the workflow');
    await handle.signal(paymentReceived, {
      method: 'card',
      amountCents: placed.priceCents,
      reference: 'pi_outage',
      paidAt: new Date().toISOString(),
      idempotencyKey: 'stripe:pi_outage',
    });
    await until(placed.packId, (s) => s.status === 'ACTIVE', 'the payment, SMTP down');
    const start = new Date(Math.ceil((Date.now() + 3 * 86_400_000) / 3_600_000) * 3_600_000).toISOString();
    const { booking } = await handle.executeUpdate(requestBooking, { args: [{ start }] });
    expect(booking.status).toBe('CONFIRMED');

    // The outbox holds the emails, with the reason they wait.
    let pending = 0;
    for (let i = 0; i < 100 && pending < 3; i++) {
      pending = await db.prisma.outboxEmail.count({ where: { packId: placed.packId, status: 'PENDING', toAddress: email } });
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(pending).toBe(3);
    await new Promise((r) => setTimeout(r, 1500));
    const failing = await db.prisma.outboxEmail.findFirst({
      where: { packId: placed.packId, status: 'PENDING', lastError: { not: null } },
    });
    expect(failing?.lastError).toMatch(/ECONNREFUSED|connect/i);

    // The server comes back on the same address.
    sink = await new SmtpSink().start(port);
    await sink.waitFor((m) => m.to.includes(email) && m.subject.startsWith('Séance confirmée'), 60_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(sink.messages.filter((m) => m.to.includes(email)).map((m) => m.subject)).toEqual([
      'Votre commande Pack 1 heure est enregistrée',
      'Paiement reçu : votre pack est actif',
      expect.stringMatching(/^Séance confirmée : /),
    ]);
    expect(await db.prisma.outboxEmail.count({ where: { packId: placed.packId, status: 'PENDING' } })).toBe(0);
  }, 90_000);
});

// An SMTP server that takes connections and never answers: sending an email hangs until nodemailer's timeouts. The
// recording that runs inside the pack's workflow task (a local activity) gives up delivering after its budget, so
// the pack answers its client meanwhile; the emails wait in the outbox for the mail lane.
describe('SMTP server that never answers', () => {
  let db: TestDatabase;
  let client: Client;
  let worker: RunningWorker;
  let silent: net.Server;
  const sockets = new Set<net.Socket>();

  beforeAll(async () => {
    [db, client] = await Promise.all([createTestDatabase(), devServerClient()]);
    silent = net.createServer((s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as net.AddressInfo;
    await db.prisma.availability.create({ data: { id: 1, ...OPEN_ALL_THE_TIME } });
    worker = await startDevWorker(realActivities({ prisma: db.prisma, smtpUrl: `smtp://127.0.0.1:${port}` }));
  });
  afterAll(async () => {
    await worker?.stop();
    await client?.connection.close();
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => silent?.close(resolve));
    await db?.drop();
  });

  test('a booking right after the payment is answered in seconds, and the emails stay queued', async () => {
    const email = `silent.${Date.now()}@example.org`;
    const placed = await orderOneHour({ client, prisma: db.prisma, taskQueue: worker.taskQueue }, 'Serveur Muet', email);
    const handle = client.workflow.getHandle(packWorkflowId(placed.packId));
    const asked = Date.now();
    await handle.signal(paymentReceived, {
      method: 'card',
      amountCents: placed.priceCents,
      reference: 'pi_silent',
      paidAt: new Date().toISOString(),
      idempotencyKey: 'stripe:pi_silent',
    });
    // A query waits for the task in hand: the pack shows ACTIVE only once the payment's recording has let go.
    for (let i = 0; i < 300; i++) {
      const s = await handle.query(getPackState);
      if (s.status === 'ACTIVE') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const start = new Date(Math.ceil((Date.now() + 3 * 86_400_000) / 3_600_000) * 3_600_000).toISOString();
    const { booking } = await handle.executeUpdate(requestBooking, { args: [{ start }] });
    const tookMs = Date.now() - asked;
    expect(booking.status).toBe('CONFIRMED');
    // Without the budget, the recordings held the task for nodemailer's 10-second greeting timeout.
    expect(tookMs).toBeLessThan(8_000);
    const pending = await db.prisma.outboxEmail.count({ where: { packId: placed.packId, status: { not: 'SENT' }, toAddress: email } });
    expect(pending).toBeGreaterThanOrEqual(2);
  }, 60_000);
});
