import net from 'node:net';
import { requestBooking } from '../../src/shared/pack';
import type { SmtpSink } from '../../src/infra/smtp-sink';
import { createDevWorld, type DevWorld } from '../support/dev-world';
import { startSmtpSink } from '../support/stack';
import { DAY, SECOND, hourAfter } from '../support/time';
import { until } from '../support/until';

// SMTP down, then back: the packs go on (payment, booking) while emails wait in the outbox; once the server is back
// they go out, once each, in order.
describe('SMTP server down, then back', () => {
  let w: DevWorld;
  let sink: SmtpSink;

  beforeAll(async () => {
    sink = await startSmtpSink();
    w = await createDevWorld({ smtpUrl: sink.url });
  });
  afterAll(async () => {
    await w?.teardown();
    await sink?.stop();
  });

  test('emails wait while SMTP is down, the pack is not blocked, and they go out once each, in order', async () => {
    await sink.stop();
    const email = `outage.${Date.now()}@example.org`;
    const placed = await w.order({ name: 'Panne Mail', email });
    await w.pay(placed, 'pi_outage');
    await w.until(placed.packId, (s) => s.status === 'ACTIVE', 'the payment, SMTP down');
    const start = hourAfter(Date.now(), 3 * DAY);
    const { booking } = await w.handle(placed.packId).executeUpdate(requestBooking, { args: [{ start }] });
    expect(booking.status).toBe('CONFIRMED');

    // The outbox holds the three emails, and the attempts to deliver them failed on the closed port.
    const waiting = () => w.db.prisma.outboxEmail.findMany({ where: { packId: placed.packId, toAddress: email }, orderBy: { id: 'asc' } });
    await until(waiting, (rows) => rows.length === 3, 'the three emails in the outbox');
    const failed = await until(waiting, (rows) => rows.some((r) => r.lastError !== null), 'a delivery attempt to fail while SMTP is down');
    expect(failed.map((r) => r.status)).toEqual(['PENDING', 'PENDING', 'PENDING']);
    expect(failed.find((r) => r.lastError !== null)?.lastError).toMatch(/ECONNREFUSED|connect/i);

    // The server comes back on the same address; once the pack has settled, nothing more can arrive.
    sink = await startSmtpSink(sink.port);
    await w.settled(placed.packId, { timeoutMs: 60_000 });
    expect(sink.messages.filter((m) => m.to.includes(email)).map((m) => m.subject)).toEqual([
      'Votre commande Pack 1 heure est enregistrée',
      'Paiement reçu : votre pack est actif',
      expect.stringMatching(/^Séance confirmée : /),
    ]);
    expect(await w.db.prisma.outboxEmail.count({ where: { packId: placed.packId, status: { not: 'SENT' } } })).toBe(0);
  }, 90_000);
});

// An SMTP server that takes connections and never answers: sending an email hangs until nodemailer's timeouts. The
// recording that runs inside the pack's workflow task (a local activity) gives up delivering after its budget, so
// the pack answers its client meanwhile; the emails wait in the outbox for the mail lane.
describe('SMTP server that never answers', () => {
  let w: DevWorld;
  let silent: net.Server;
  const sockets = new Set<net.Socket>();

  beforeAll(async () => {
    silent = net.createServer((s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as net.AddressInfo;
    w = await createDevWorld({ smtpUrl: `smtp://127.0.0.1:${port}` });
  });
  afterAll(async () => {
    // The hanging deliveries end with their connections, so the worker's shutdown does not wait for their timeouts.
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => silent?.close(resolve));
    await w?.teardown();
  });

  test('a booking right after the payment is answered in seconds, and the emails stay queued', async () => {
    const email = `silent.${Date.now()}@example.org`;
    const placed = await w.order({ name: 'Serveur Muet', email });
    const asked = Date.now();
    await w.pay(placed, 'pi_silent');
    // A query waits for the task in hand: the pack shows ACTIVE only once the payment's recording has let go.
    await w.until(placed.packId, (s) => s.status === 'ACTIVE', 'the payment', { intervalMs: 50 });
    const start = hourAfter(Date.now(), 3 * DAY);
    const { booking } = await w.handle(placed.packId).executeUpdate(requestBooking, { args: [{ start }] });
    const tookMs = Date.now() - asked;
    expect(booking.status).toBe('CONFIRMED');
    // Without the budget, the recordings held the task for nodemailer's 10-second greeting timeout.
    expect(tookMs).toBeLessThan(8 * SECOND);
    // The server did take the connections (the emails hang in them), and none of the emails went.
    expect(sockets.size).toBeGreaterThan(0);
    const pending = await w.db.prisma.outboxEmail.count({ where: { packId: placed.packId, status: { not: 'SENT' }, toAddress: email } });
    expect(pending).toBeGreaterThanOrEqual(2);
  }, 60_000);
});
