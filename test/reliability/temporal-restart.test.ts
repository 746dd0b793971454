import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { placeOrder } from '../../src/gateway/orders';
import type { SmtpSink } from '../../src/infra/smtp-sink';
import { DEFAULT_CATALOG } from '../../src/shared/catalog';
import { getPackState, packWorkflowId, paymentReceived, requestBooking, type PackState } from '../../src/shared/pack';
import { DEFAULT_SETTINGS } from '../../src/shared/policy';
import { SEARCH_ATTRIBUTES } from '../../src/shared/search-attributes';
import { createWorker } from '../../src/worker/worker';
import { freePort, startTemporalDevServer, type LocalTemporal } from '../../scripts/lib/local-stack';
import { CONSENTS, OPEN_ALL_THE_TIME } from '../support/packs';
import { createTestDatabase, quietTemporalRuntime, realActivities, startSmtpSink, uniqueName, type TestDatabase } from '../support/stack';

// The Temporal dev server (SQLite-persisted, as `npm start` runs it) is stopped and started again: running packs
// keep their state and their timers still fire.
describe('Temporal dev server restarted on its persisted database', () => {
  let db: TestDatabase;
  let sink: SmtpSink;
  let server: LocalTemporal;
  let port: number;
  let dbFile: string;
  let client: Client;
  let worker: Worker;
  let running: Promise<void>;
  const taskQueue = uniqueName('restart');

  const start = (p: number) => startTemporalDevServer({ port: p, dbFile, namespace: 'default', searchAttributes: SEARCH_ATTRIBUTES });

  beforeAll(async () => {
    quietTemporalRuntime();
    [db, sink, port] = await Promise.all([createTestDatabase(), startSmtpSink(), freePort()]);
    await db.prisma.availability.create({ data: { id: 1, ...OPEN_ALL_THE_TIME } });
    dbFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'temporal-restart-')), 'temporal.sqlite');
    server = await start(port);
    client = new Client({ connection: await Connection.connect({ address: server.address }) });
    const nativeConnection = await NativeConnection.connect({ address: server.address });
    worker = await createWorker({
      connection: nativeConnection,
      namespace: 'default',
      taskQueue,
      activities: realActivities({ prisma: db.prisma, smtpUrl: sink.url }),
      workflowBundlePath: process.env.WORKFLOW_BUNDLE_PATH,
    });
    running = worker.run();
  }, 90_000);
  afterAll(async () => {
    worker?.shutdown();
    await running?.catch(() => undefined);
    await client?.connection.close();
    await server?.stop();
    await sink?.stop();
    await db?.drop();
  });

  const until = async (packId: string, ok: (s: PackState) => boolean, what: string, ms = 60_000) => {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      const s = await client.workflow
        .getHandle(packWorkflowId(packId))
        .query(getPackState)
        .catch(() => undefined);
      if (s && ok(s)) return s;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`timed out waiting for ${what}`);
  };

  test('a paid pack keeps its booking, and an unpaid one is reminded and cancelled on time, across the restart', async () => {
    const deps = (settings = DEFAULT_SETTINGS) => ({
      client,
      prisma: db.prisma,
      taskQueue,
      catalog: DEFAULT_CATALOG,
      settings,
      cgvVersion: 'test',
    });
    const meta = () => ({ orderKey: crypto.randomUUID(), ip: '127.0.0.1', userAgent: 'jest' });
    const paid = await placeOrder(
      deps(),
      {
        packCode: 'PACK_1H',
        customer: { name: 'Avant Redémarrage', email: 'before@example.org' },
        paymentMethod: 'card',
        consents: CONSENTS,
      },
      meta(),
    );
    // An order whose payment timers fall after the restart: reminder at 12 s, deadline at 20 s.
    const unpaidEmail = `restart.${Date.now()}@example.org`;
    const unpaid = await placeOrder(
      deps({ ...DEFAULT_SETTINGS, paymentDeadlineMs: 20_000, paymentReminderBeforeMs: 8_000 }),
      { packCode: 'PACK_1H', customer: { name: 'Sans Paiement', email: unpaidEmail }, paymentMethod: 'bank_transfer', consents: CONSENTS },
      meta(),
    );
    const handle = client.workflow.getHandle(packWorkflowId(paid.packId));
    await until(paid.packId, () => true, 'the first pack');
    await handle.signal(paymentReceived, {
      method: 'card',
      amountCents: paid.priceCents,
      reference: 'pi_restart',
      paidAt: new Date().toISOString(),
      idempotencyKey: 'stripe:pi_restart',
    });
    await until(paid.packId, (s) => s.status === 'ACTIVE', 'the payment');
    const startAt = new Date(Math.ceil((Date.now() + 3 * 86_400_000) / 3_600_000) * 3_600_000).toISOString();
    const { booking } = await handle.executeUpdate(requestBooking, { args: [{ start: startAt }] });

    await server.stop();
    await new Promise((r) => setTimeout(r, 3000));
    server = await start(port);

    const after = await until(paid.packId, (s) => s.bookings.length === 1, 'the paid pack after the restart');
    expect(after.status).toBe('ACTIVE');
    expect(after.bookings[0]).toMatchObject({ id: booking.id, status: 'CONFIRMED' });
    const cancelled = await until(unpaid.packId, (s) => s.status === 'CANCELLED_UNPAID', 'the payment deadline after the restart', 90_000);
    expect(cancelled.status).toBe('CANCELLED_UNPAID');
    await sink.waitFor((m) => m.to.includes(unpaidEmail) && m.subject.startsWith('Votre commande a été annulée'), 30_000);
    const subjects = sink.messages.filter((m) => m.to.includes(unpaidEmail)).map((m) => m.subject);
    expect(subjects).toEqual([
      'Votre commande Pack 1 heure est enregistrée',
      'Rappel : votre commande attend son paiement',
      'Votre commande a été annulée faute de paiement',
    ]);
  }, 150_000);
});
