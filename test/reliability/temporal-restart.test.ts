import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_SETTINGS } from '../../src/shared/policy';
import { SEARCH_ATTRIBUTES } from '../../src/shared/search-attributes';
import { freePort, startTemporalDevServer, type LocalTemporal } from '../../scripts/lib/local-stack';
import { createDevWorld, type DevWorld } from '../support/dev-world';
import { requestBooking } from '../../src/shared/pack';
import { uniqueName } from '../support/stack';
import { DAY, SECOND, hourAfter } from '../support/time';
import { errorText, workflowNotFoundYet } from '../support/until';

// The Temporal dev server (SQLite-persisted, as `npm start` runs it) is stopped and started again: running packs
// keep their state and their timers still fire.
describe('Temporal dev server restarted on its persisted database', () => {
  let w: DevWorld;
  let server: LocalTemporal;
  let port: number;
  let dbFile: string;

  const start = (p: number) => startTemporalDevServer({ port: p, dbFile, namespace: 'default', searchAttributes: SEARCH_ATTRIBUTES });
  /** Whether something accepts connections on the server's port. */
  const listening = () =>
    new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port }, () => resolve(true)).on('error', () => resolve(false));
      socket.once('connect', () => socket.destroy());
    });

  beforeAll(async () => {
    port = await freePort();
    dbFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'temporal-restart-')), 'temporal.sqlite');
    server = await start(port);
    w = await createDevWorld({ temporalAddress: server.address, taskQueue: uniqueName('restart') });
  }, 90_000);
  afterAll(async () => {
    await w?.teardown();
    await server?.stop();
  });

  /** The pack's state; while the server is restarting the query cannot reach it, which is expected here. */
  const packUntil = (packId: string, ok: Parameters<DevWorld['until']>[1], what: string, timeoutMs = 60_000) =>
    w.until(packId, ok, what, {
      timeoutMs,
      intervalMs: 200,
      retryOn: (err) => workflowNotFoundYet(err) || /UNAVAILABLE|ECONNREFUSED|connect/i.test(errorText(err)),
    });

  test('a paid pack keeps its booking, and an unpaid one is reminded and cancelled on time, across the restart', async () => {
    const paid = await w.order({ name: 'Avant Redémarrage', email: 'before@example.org' });
    // An order whose payment timers fall after the restart (done about 2 s after the order): reminder at 8 s, deadline at 12 s.
    const unpaidEmail = `restart.${Date.now()}@example.org`;
    const unpaid = await w.order({
      name: 'Sans Paiement',
      email: unpaidEmail,
      paymentMethod: 'bank_transfer',
      settings: { ...DEFAULT_SETTINGS, paymentDeadlineMs: 12 * SECOND, paymentReminderBeforeMs: 4 * SECOND },
    });
    await w.pay(paid, 'pi_restart');
    await packUntil(paid.packId, (s) => s.status === 'ACTIVE', 'the payment');
    const startAt = hourAfter(Date.now(), 3 * DAY);
    const { booking } = await w.handle(paid.packId).executeUpdate(requestBooking, { args: [{ start: startAt }] });

    // When the server stops, the unpaid pack's timers are still to fire: only the order's email has gone.
    const before = await w.state(unpaid.packId);
    expect(before.nextTimers.map((t) => t.kind)).toEqual(expect.arrayContaining(['PAYMENT_REMINDER', 'PAYMENT_DEADLINE']));
    expect(before.nextTimers.filter((t) => t.kind.startsWith('PAYMENT_')).every((t) => Date.parse(t.at) > Date.now())).toBe(true);
    await w.settled(unpaid.packId);
    const subjects = () => w.sink!.messages.filter((m) => m.to.includes(unpaidEmail)).map((m) => m.subject);
    expect(subjects()).toEqual(['Votre commande Pack 1 heure est enregistrée']);

    await server.stop();
    expect(await listening()).toBe(false);
    server = await start(port);

    const after = await packUntil(paid.packId, (s) => s.bookings.length === 1, 'the paid pack after the restart');
    expect(after.status).toBe('ACTIVE');
    expect(after.bookings[0]).toMatchObject({ id: booking.id, status: 'CONFIRMED' });
    const cancelled = await packUntil(
      unpaid.packId,
      (s) => s.status === 'CANCELLED_UNPAID',
      'the payment deadline after the restart',
      90_000,
    );
    expect(cancelled.status).toBe('CANCELLED_UNPAID');
    await w.settled(unpaid.packId, { timeoutMs: 30_000 });
    expect(subjects()).toEqual([
      'Votre commande Pack 1 heure est enregistrée',
      'Rappel : votre commande attend son paiement',
      'Votre commande a été annulée faute de paiement',
    ]);
  }, 150_000);
});
