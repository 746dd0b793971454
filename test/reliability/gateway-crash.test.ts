import type { ChildProcess } from 'node:child_process';
import { ClientEncryptionCodec, ClientKeyStore } from '../../src/infra/codec';
import type { SmtpSink } from '../../src/infra/smtp-sink';
import { freePort } from '../../scripts/lib/local-stack';
import { CONSENTS } from '../support/packs';
import {
  createTestDatabase,
  realActivities,
  spawnProgram,
  startDevWorker,
  startSmtpSink,
  stopProgram,
  stripeApiUrl,
  type RunningWorker,
  type TestDatabase,
} from '../support/stack';

// The gateway process is killed (SIGKILL) while it handles an order; the client's retry (same Idempotency-Key) on a
// new gateway must not make a second order, whenever the kill fell.

describe('gateway killed between accepting an order and answering', () => {
  let db: TestDatabase;
  let sink: SmtpSink;
  let worker: RunningWorker;
  let port: number;
  let gateway: ChildProcess | undefined;

  const startGateway = async () => {
    gateway = await spawnProgram(
      'src/gateway/main.ts',
      [],
      {
        PORT: String(port),
        DATABASE_URL: db.url,
        TEMPORAL_ADDRESS: process.env.TEST_TEMPORAL_ADDRESS,
        TEMPORAL_TASK_QUEUE: worker.taskQueue,
        SMTP_URL: sink.url,
        STRIPE_SECRET_KEY: 'sk_test_imaginasite',
        STRIPE_API_URL: stripeApiUrl(),
        STRIPE_WEBHOOK_SECRET: 'whsec_test',
        PROVIDER_API_TOKEN: 'gateway-crash-provider-token-0123456789',
        ACCESS_TOKEN_SECRET: 'gateway-crash-access-token-secret-0123456789',
      },
      'listening',
    );
  };
  const kill = () => stopProgram(gateway!);

  beforeAll(async () => {
    [db, sink, port] = await Promise.all([createTestDatabase(), startSmtpSink(), freePort()]);
    // The gateway encrypts the workflows' payloads with the clients' keys: its worker must decrypt them.
    const codec = new ClientEncryptionCodec(new ClientKeyStore(db.prisma));
    worker = await startDevWorker(realActivities({ prisma: db.prisma, smtpUrl: sink.url }), undefined, { payloadCodecs: [codec] });
    await startGateway();
  }, 90_000);
  afterAll(async () => {
    if (gateway && gateway.exitCode === null) await kill();
    await worker?.stop();
    await sink?.stop();
    await db?.drop();
  });

  test.each([5, 40, 150])(
    'killed %i ms into the request: the retry answers the same single order',
    async (delayMs) => {
      const key = `crash-order-${delayMs}-${Date.now()}`;
      const email = `gw${delayMs}.${Date.now()}@example.org`;
      const body = JSON.stringify({
        packCode: 'PACK_1H',
        customer: { name: 'Commande Interrompue', email },
        paymentMethod: 'bank_transfer',
        consents: CONSENTS,
      });
      const post = () =>
        fetch(`http://127.0.0.1:${port}/api/orders`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': key, connection: 'close' },
          body,
        });
      const first = post().then(
        (r) => r.status,
        () => 'connection lost',
      );
      await new Promise((r) => setTimeout(r, delayMs));
      await kill();
      void (await first);
      await startGateway();
      const retry = await post();
      expect([200, 201]).toContain(retry.status);
      const answer = (await retry.json()) as { packId: string; bankTransfer: { reference: string } };
      const packs = await db.prisma.pack.findMany({ where: { customer: { email } } });
      expect(packs.map((p) => p.id)).toEqual([answer.packId]);
      expect(answer.bankTransfer.reference).toBe(packs[0].bankReference);
      // One workflow, one "order received" email.
      await sink.waitFor((m) => m.to.includes(email), 20_000);
      await new Promise((r) => setTimeout(r, 500));
      expect(sink.messages.filter((m) => m.to.includes(email))).toHaveLength(1);
    },
    90_000,
  );
});
