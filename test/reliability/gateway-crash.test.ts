import type { ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { freePort } from '../../scripts/lib/local-stack';
import { createDevWorld, type DevWorld } from '../support/dev-world';
import { backendGone, holdLock, type Waiter } from '../support/locks';
import { CONSENTS } from '../support/packs';
import { spawnProgram, stopProgram, stripeApiUrl } from '../support/stack';
import { until, workflowNotFoundYet } from '../support/until';

// The gateway process is killed (SIGKILL) while it handles an order; the client's retry (same Idempotency-Key) on a
// new gateway must not make a second order. Each kill lands mid-request by construction: the test holds the order at
// a known step (its statement waiting on a lock in PostgreSQL, or its Checkout session waiting on Stripe), sees it
// there, and only then kills the gateway.

/** Stripe as the gateway sees it: stripe-mock behind a proxy that can hold Checkout session requests unanswered. */
async function stallingStripe(upstream: string) {
  let holding = false;
  const held: http.ServerResponse[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (holding && req.method === 'POST' && req.url === '/v1/checkout/sessions') {
        held.push(res); // never answered: the gateway waits on Stripe
        return;
      }
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter((e): e is [string, string] => typeof e[1] === 'string' && e[0] !== 'host'),
      );
      fetch(`${upstream}${req.url}`, { method: req.method, headers, body: chunks.length ? Buffer.concat(chunks) : undefined })
        .then(async (answer) => {
          res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
          res.end(Buffer.from(await answer.arrayBuffer()));
        })
        .catch((err: Error) => res.writeHead(502).end(err.message));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    held,
    hold: (on: boolean) => void (holding = on),
    stop: () => {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('gateway killed between accepting an order and answering', () => {
  let w: DevWorld;
  let stripe: Awaited<ReturnType<typeof stallingStripe>>;
  let port: number;
  let gateway: ChildProcess | undefined;

  const startGateway = async () => {
    gateway = await spawnProgram(
      'src/gateway/main.ts',
      [],
      {
        PORT: String(port),
        DATABASE_URL: w.db.url,
        TEMPORAL_ADDRESS: process.env.TEST_TEMPORAL_ADDRESS,
        TEMPORAL_TASK_QUEUE: w.taskQueue,
        SMTP_URL: w.sink!.url,
        STRIPE_SECRET_KEY: 'sk_test_imaginasite',
        STRIPE_API_URL: stripe.url,
        STRIPE_WEBHOOK_SECRET: 'whsec_test',
        PROVIDER_API_TOKEN: 'gateway-crash-provider-token-0123456789',
        ACCESS_TOKEN_SECRET: 'gateway-crash-access-token-secret-0123456789',
      },
      'listening',
    );
  };

  beforeAll(async () => {
    // The gateway encrypts the workflows' payloads with the clients' keys: the world's worker decrypts them.
    [w, stripe, port] = await Promise.all([createDevWorld({ encrypted: true }), stallingStripe(stripeApiUrl()), freePort()]);
    await startGateway();
  }, 90_000);
  afterAll(async () => {
    if (gateway) await stopProgram(gateway);
    await stripe?.stop();
    await w?.teardown();
  });

  let n = 0;
  /** The same order, posted as a client's browser posts it (the retry sends the same Idempotency-Key). */
  const order = (paymentMethod: 'card' | 'bank_transfer') => {
    const key = `crash-order-${++n}-${Date.now()}`;
    const email = `gw${n}.${Date.now()}@example.org`;
    const body = JSON.stringify({
      packCode: 'PACK_1H',
      customer: { name: 'Commande Interrompue', email },
      paymentMethod,
      consents: CONSENTS,
    });
    const post = () =>
      fetch(`http://127.0.0.1:${port}/api/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': key, connection: 'close' },
        body,
      });
    return { email, post };
  };
  /** What the client's first request got: an answer, or its connection lost with the gateway. */
  const outcome = (r: Promise<Response>) =>
    r.then(
      (res) => `answered ${res.status}`,
      (err: Error) => `no answer (${err.message})`,
    );

  /** After the retry: one pack for the client, the answer's, with its workflow; one "order received" email. */
  async function expectOneOrder(email: string, retry: Response) {
    expect([200, 201]).toContain(retry.status);
    const answer = (await retry.json()) as { packId: string; checkoutUrl?: string; bankTransfer?: { reference: string } };
    const packs = await w.db.prisma.pack.findMany({ where: { customer: { email } } });
    expect(packs.map((p) => p.id)).toEqual([answer.packId]);
    await until(
      () => w.handle(answer.packId).describe(),
      () => true,
      'the pack’s workflow',
      { retryOn: workflowNotFoundYet },
    );
    await w.settled(answer.packId);
    expect(w.sink!.messages.filter((m) => m.to.includes(email)).map((m) => m.subject)).toEqual([
      'Votre commande Pack 1 heure est enregistrée',
    ]);
    return { answer, pack: packs[0] };
  }

  test('killed while the order’s statement waits in PostgreSQL: no answer, then the retry answers the one order', async () => {
    const { email, post } = order('bank_transfer');
    const lock = await holdLock(w.db.url, 'LOCK TABLE customer IN SHARE MODE');
    const first = outcome(post());
    let waiter: Waiter;
    try {
      waiter = await lock.waiter('the order’s statement');
      await stopProgram(gateway!);
    } finally {
      await lock.release();
    }
    expect(waiter.query).toMatch(/INSERT INTO customer/i);
    expect(await first).toMatch(/^no answer/);
    // The statement had reached PostgreSQL whole: once the lock is gone it runs and commits, its client dead. The
    // order is stored, and no workflow was started for it.
    await backendGone(w.db.url, waiter.pid, 'the killed gateway’s order');
    const stored = await w.db.prisma.pack.findMany({ where: { customer: { email } } });
    expect(stored).toHaveLength(1);
    await expect(w.handle(stored[0].id).describe()).rejects.toThrow(/not found/i);

    await startGateway();
    const { answer, pack } = await expectOneOrder(email, await post());
    expect(answer.packId).toBe(stored[0].id);
    expect(answer.bankTransfer?.reference).toBe(pack.bankReference);
  }, 90_000);

  test('killed while the card order’s Checkout session waits on Stripe: no answer, then the retry answers the one order', async () => {
    const { email, post } = order('card');
    stripe.hold(true);
    const first = outcome(post());
    try {
      await until(
        () => stripe.held.length,
        (held) => held === 1,
        'the gateway’s Checkout request to reach Stripe',
        { intervalMs: 20 },
      );
      // By then the order is stored and its workflow started: only the Checkout session and the answer are missing.
      const [stored] = await w.db.prisma.pack.findMany({ where: { customer: { email } } });
      expect(stored).toMatchObject({ status: 'AWAITING_PAYMENT', checkoutSessionId: null });
      expect((await w.handle(stored.id).describe()).status.name).toBe('RUNNING');
      await stopProgram(gateway!);
    } finally {
      stripe.hold(false);
    }
    expect(await first).toMatch(/^no answer/);

    await startGateway();
    const { answer, pack } = await expectOneOrder(email, await post());
    expect(answer.checkoutUrl).toBeTruthy();
    expect(pack.checkoutSessionId).toMatch(/^cs_/);
  }, 90_000);
});
