import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { Client, Connection } from '@temporalio/client';
import { startProductionStack, type ProductionStack } from '../../scripts/lib/production-stack';
import { ROOT, Supervisor } from '../../scripts/lib/supervisor';
import { composeEnvironment } from '../../scripts/lib/topology';
import type { SmtpSink } from '../../src/infra/smtp-sink';
import { packWorkflowId } from '../../src/shared/pack';
import { CONSENTS, OPEN_ALL_THE_TIME } from '../support/packs';
import { startSmtpSink, stripeApiUrl, testStripe } from '../support/stack';
import { DAY, HOUR, hourAfter } from '../support/time';
import { pause, until } from '../support/until';

// The production topology of docker-compose.yml (scripts/lib/topology.ts) run for real, as processes: PostgreSQL,
// Temporal's schema by its SQL tool, the Temporal server built from the Go module proxy, the namespace and search
// attributes by the project's setup step, the migrations, two workers and two gateways, with stripe-mock for Stripe and
// an SMTP sink for the mail relay. Clients arrive at a steady rate (open loop: one every ARRIVAL_MS, whatever the
// answers) and each orders a pack by card through one gateway, is paid by Stripe's signed webhook through the other,
// and books a session. In the middle one worker and one gateway are SIGKILLed while both are, by construction, in the
// middle of an operation (each has a statement waiting in PostgreSQL on a lock the test holds). The client plays the
// TLS proxy in front of the gateways: it forwards each client's address (X-Forwarded-For) and, where the API is
// idempotent, retries on the other gateway a request that got no answer.
const JOURNEYS = 24;
const ARRIVAL_MS = 500;
const KILL_AFTER = 10; // journeys started before the kill
const LOAD_DEADLINE_MS = 150_000;
const PROVIDER_TOKEN = 'topology-provider-token-0123456789';
const WEBHOOK_SECRET = 'whsec_topology_shared_by_every_gateway';

type Outcome =
  | { kind: 'answer'; status: number; body: Record<string, unknown> }
  /** Nothing was sent: the gateway's port was closed. */
  | { kind: 'refused' }
  /** Sent, and the connection died before an answer (the gateway was killed). */
  | { kind: 'lost'; error: string };

interface Journey {
  i: number;
  email: string;
  address: string;
  start: string;
  packId?: string;
  token?: string;
  reference?: string;
  bookingId?: string;
  /** A booking request that died with its gateway: what the pack's state then said. */
  unknownBooking?: 'booked' | 'not booked';
}

describe('the production topology as processes: two workers and two gateways on a Temporal server on PostgreSQL', () => {
  const started = Date.now();
  const supervisor = new Supervisor();
  const dir = path.join(process.env.TEST_STACK_DIR!, 'topology');
  let sink: SmtpSink;
  let stack: ProductionStack;
  let db: pg.Pool;
  let temporal: Client;
  const stripe = testStripe();
  const counts = { requests: 0, answered2xx: 0, refused: 0, lost: 0, retried: 0, unknownBookings: 0 };
  const report: Record<string, unknown> = {};
  /** Every answer 2xx the clients got, checked at the end: its effect must be there. */
  const acknowledged: Array<{ what: 'order' | 'payment' | 'booking' | 'withdrawal'; journey: number }> = [];

  beforeAll(async () => {
    sink = await startSmtpSink();
    const names = new Set([...composeEnvironment('worker'), ...composeEnvironment('gateway')]);
    stack = await startProductionStack({
      dir,
      supervisor,
      operatorEnv: {
        // What the test stack holds for the operator's other values (the sample seller), then this test's own.
        ...Object.fromEntries([...names].flatMap((k) => (process.env[k] ? [[k, process.env[k]]] : []))),
        SMTP_URL: sink.url,
        STRIPE_SECRET_KEY: 'sk_test_imaginasite',
        STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
        PROVIDER_API_TOKEN: PROVIDER_TOKEN,
        ACCESS_TOKEN_SECRET: 'topology-access-token-secret-0123456789abcdef',
        BANK_IBAN: 'FR7630006000011234567890189',
        BANK_BIC: 'AGRIFRPPXXX',
        BANK_ACCOUNT_HOLDER: 'Jean Dupont EI',
        ZOOM_MEETING_URL: 'https://zoom.us/j/123456789',
      },
      // Not the operator's: stripe-mock in Stripe's place, and the workflow bundle the test stack built once.
      extraEnv: { STRIPE_API_URL: stripeApiUrl(), WORKFLOW_BUNDLE_PATH: process.env.WORKFLOW_BUNDLE_PATH! },
    });
    report.startup = stack.timings;
    db = new pg.Pool({ connectionString: stack.databaseUrl, max: 6 });
    db.on('error', () => undefined); // an idle connection cut when PostgreSQL stops at the end
    temporal = new Client({ connection: await Connection.connect({ address: stack.temporalAddress }), namespace: stack.namespace });
    const opened = await send(0, 'PUT', '/api/admin/availability', { body: OPEN_ALL_THE_TIME, headers: asProvider });
    expect(opened).toMatchObject({ kind: 'answer', status: 200 });
  }, 240_000);

  afterAll(async () => {
    report.seconds = (Date.now() - started) / 1000;
    report.requests = counts;
    fs.mkdirSync(path.join(ROOT, 'test-output'), { recursive: true });
    fs.writeFileSync(path.join(ROOT, 'test-output/topology.json'), `${JSON.stringify(report, null, 2)}\n`);
    process.stderr.write(`\n[topology] ${JSON.stringify(report)}\n`);
    await temporal?.connection.close();
    await db?.end();
    await supervisor.stopAll();
    await sink?.stop();
  });

  const asProvider = { authorization: `Bearer ${PROVIDER_TOKEN}` };

  /** One request to gateway `gw`, as the proxy in front sends it. */
  async function send(
    gw: number,
    method: string,
    url: string,
    o: { body?: unknown; raw?: string; headers?: Record<string, string> } = {},
  ): Promise<Outcome> {
    counts.requests++;
    try {
      const res = await fetch(`${stack.gateways[gw].url}${url}`, {
        method,
        headers: { 'content-type': 'application/json', ...o.headers },
        body: o.raw ?? (o.body === undefined ? undefined : JSON.stringify(o.body)),
        signal: AbortSignal.timeout(60_000),
      });
      const text = await res.text();
      if (res.status < 300) counts.answered2xx++;
      return { kind: 'answer', status: res.status, body: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : { text } };
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      if (cause?.code === 'ECONNREFUSED') {
        counts.refused++;
        return { kind: 'refused' };
      }
      counts.lost++;
      return { kind: 'lost', error: `${cause?.code ?? ''} ${cause?.message ?? (err as Error).message}`.trim() };
    }
  }

  /** An idempotent request: sent again, to the other gateway, until it is answered (an order key, a Stripe event id). */
  async function idempotent(first: number, what: string, request: (gw: number) => Promise<Outcome>, ok: number[]) {
    for (let attempt = 0; attempt < 6; attempt++) {
      const out = await request((first + attempt) % 2);
      if (out.kind === 'answer' && ok.includes(out.status)) return out.body;
      if (out.kind === 'answer' && out.status < 500) throw new Error(`${what} refused (${out.status}): ${JSON.stringify(out.body)}`);
      counts.retried++;
      if (out.kind !== 'refused') await pause(200);
    }
    throw new Error(`${what}: no answer after 6 attempts`);
  }

  /** Nothing more can happen to the pack before its next timer: no workflow task, no activity, no email waiting. */
  const settled = (packId: string) =>
    until(
      async () => {
        const { raw } = await temporal.workflow.getHandle(packWorkflowId(packId)).describe();
        const { rows } = await db.query<{ n: string }>("SELECT count(*) AS n FROM outbox_email WHERE pack_id = $1 AND status = 'PENDING'", [
          packId,
        ]);
        return !raw.pendingWorkflowTask && (raw.pendingActivities ?? []).length === 0 && rows[0].n === '0';
      },
      (done) => done,
      `pack ${packId} to settle`,
      { timeoutMs: 90_000, intervalMs: 250 },
    );

  /** The pack as its client reads it, through either gateway. */
  async function packState(
    j: Journey,
  ): Promise<{ status: string; payments: Array<{ reference: string }>; bookings: Array<{ id: string; start: string; status: string }> }> {
    for (let gw = j.i % 2, tries = 0; tries < 20; tries++, gw = 1 - gw) {
      const out = await send(gw, 'GET', `/api/packs/${j.packId}`, { headers: { authorization: `Bearer ${j.token}` } });
      if (out.kind === 'answer' && out.status === 200) return out.body as never;
      await pause(250);
    }
    throw new Error(`pack ${j.packId} could not be read`);
  }

  async function journey(j: Journey): Promise<void> {
    // The order (card), keyed: a retry after no answer is the same order.
    const key = `topology-order-${j.i}`;
    const body = {
      packCode: 'PACK_1H',
      customer: { name: `Client Topologie ${j.i}`, email: j.email },
      paymentMethod: 'card',
      consents: CONSENTS,
    };
    const order = await idempotent(
      j.i,
      `order ${j.i}`,
      (gw) => send(gw, 'POST', '/api/orders', { body, headers: { 'idempotency-key': key, 'x-forwarded-for': j.address } }),
      [200, 201],
    );
    j.packId = order.packId as string;
    j.token = order.accessToken as string;
    acknowledged.push({ what: 'order', journey: j.i });

    // Stripe's signed webhook for the pack's own Checkout session, through the other gateway; Stripe sends the same
    // event again until it gets a 2xx.
    const { rows } = await db.query<{ checkout_session_id: string; price_cents: number }>(
      'SELECT checkout_session_id, price_cents FROM pack WHERE id = $1',
      [j.packId],
    );
    j.reference = `pi_topology_${j.i}`;
    const payload = JSON.stringify({
      id: `evt_topology_${j.i}`,
      object: 'event',
      type: 'checkout.session.completed',
      created: Math.floor(Date.now() / 1000),
      api_version: '2025-09-30.clover',
      data: {
        object: {
          id: rows[0].checkout_session_id,
          object: 'checkout.session',
          mode: 'payment',
          client_reference_id: j.packId,
          metadata: { orderId: j.packId },
          payment_status: 'paid',
          status: 'complete',
          amount_total: rows[0].price_cents,
          currency: 'eur',
          payment_intent: j.reference,
        },
      },
    });
    const signature = stripe.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET });
    await idempotent(
      j.i + 1,
      `payment ${j.i}`,
      (gw) => send(gw, 'POST', '/webhooks/stripe', { raw: payload, headers: { 'stripe-signature': signature } }),
      [200],
    );
    acknowledged.push({ what: 'payment', journey: j.i });
    await until(
      () => packState(j),
      (s) => s.status === 'ACTIVE',
      `pack ${j.i} to be active`,
      { timeoutMs: 90_000, intervalMs: 300 },
    );

    await book(j);
    if (withdraws(j)) await withdraw(j);
  }

  /** Every third client withdraws after booking: a refund on the card and a credit note, each to be made once. */
  const withdraws = (j: Journey) => j.i % 3 === 2;

  async function book(j: Journey): Promise<void> {
    // The booking is not idempotent: a request without an answer is « unknown » until the pack's state says.
    const bookingBody = { body: { start: j.start }, headers: { authorization: `Bearer ${j.token}`, 'x-forwarded-for': j.address } };
    for (let gw = j.i % 2, attempt = 0; attempt < 4; attempt++, gw = 1 - gw) {
      const out = await send(gw, 'POST', `/api/packs/${j.packId}/bookings`, bookingBody);
      if (out.kind === 'answer' && out.status === 201) {
        j.bookingId = (out.body.booking as { id: string }).id;
        acknowledged.push({ what: 'booking', journey: j.i });
        return;
      }
      if (out.kind === 'answer' && out.status < 500) throw new Error(`booking ${j.i} refused (${out.status}): ${JSON.stringify(out.body)}`);
      if (out.kind === 'refused') continue; // never sent
      counts.unknownBookings++;
      await settled(j.packId!);
      const mine = (await packState(j)).bookings.find((b) => b.start === j.start && b.status !== 'CANCELLED');
      j.unknownBooking = mine ? 'booked' : 'not booked';
      if (mine) {
        j.bookingId = mine.id;
        return;
      }
    }
    throw new Error(`booking ${j.i}: no answer after 4 attempts`);
  }

  async function withdraw(j: Journey): Promise<void> {
    // Not idempotent either: after a request without an answer, the pack's state says whether it was taken.
    const headers = { authorization: `Bearer ${j.token}`, 'x-forwarded-for': j.address };
    for (let gw = (j.i + 1) % 2, attempt = 0; attempt < 4; attempt++, gw = 1 - gw) {
      const out = await send(gw, 'POST', `/api/packs/${j.packId}/withdraw`, { headers });
      if (out.kind === 'answer' && out.status === 200) {
        acknowledged.push({ what: 'withdrawal', journey: j.i });
        return;
      }
      if (out.kind === 'answer' && out.status < 500)
        throw new Error(`withdrawal ${j.i} refused (${out.status}): ${JSON.stringify(out.body)}`);
      if (out.kind === 'refused') continue; // never sent
      await settled(j.packId!);
      if ((await packState(j)).status === 'WITHDRAWN') return;
    }
    throw new Error(`withdrawal ${j.i}: no answer after 4 attempts`);
  }

  interface Waiting {
    pid: number;
    application_name: string;
    query: string;
  }

  /**
   * Takes `LOCK TABLE <table> IN SHARE MODE` (writes to it wait, reads go on) in a transaction of its own, and holds
   * it until a statement of `program` waits on it (each program names itself to PostgreSQL).
   */
  async function holdUntilWaiting(table: string, program: string) {
    const holder = new pg.Client({ connectionString: stack.databaseUrl });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query(`LOCK TABLE ${table} IN SHARE MODE`);
    const release = async () => {
      await holder.query('ROLLBACK');
      await holder.end();
    };
    try {
      const waiting = await until(
        async () =>
          (
            await db.query<Waiting>(
              `SELECT pid, application_name, query FROM pg_stat_activity
               WHERE wait_event_type = 'Lock' AND datname = current_database() AND application_name = $1`,
              [program],
            )
          ).rows,
        (rows) => rows.length > 0,
        `a statement of ${program} to wait on the test’s lock of ${table}`,
        { timeoutMs: 30_000, intervalMs: 20 },
      );
      return { waiting, release };
    } catch (err) {
      await release();
      throw err;
    }
  }

  /**
   * SIGKILLs worker-1 while its recording of a pack waits in PostgreSQL (on a lock of pack_event, which only workers
   * write) and gateway-1 while an order it takes waits there (on a lock of customer, which only gateways write), then
   * releases both locks: each kill lands mid-operation by construction. The rest of the load goes on meanwhile.
   */
  async function killMidOperation() {
    const t0 = Date.now();
    const worker = await holdUntilWaiting('pack_event', 'worker-1');
    let gateway: Awaited<ReturnType<typeof holdUntilWaiting>> | undefined;
    try {
      gateway = await holdUntilWaiting('customer', 'gateway-1');
      await Promise.all([stack.gateways[0].process.stop('SIGKILL', 0), stack.workers[0].process.stop('SIGKILL', 0)]);
    } finally {
      await gateway?.release();
      await worker.release();
    }
    const cut = [...worker.waiting, ...(gateway?.waiting ?? [])];
    // Their sessions end with them: those statements were the killed programs'.
    await until(
      async () => (await db.query('SELECT pid FROM pg_stat_activity WHERE pid = ANY($1)', [cut.map((w) => w.pid)])).rowCount,
      (n) => n === 0,
      'the killed programs’ sessions to end',
      { timeoutMs: 30_000 },
    );
    return {
      locksHeldMs: Date.now() - t0,
      cutMidStatement: cut.map((w) => ({ program: w.application_name, statement: w.query.replace(/\s+/g, ' ').slice(0, 60) })),
    };
  }

  test('orders, payments and bookings at a steady rate through both gateways, one worker and one gateway SIGKILLed mid-operation: every order paid and booked once, nothing twice, no 2xx lost', async () => {
    const t0 = Date.now();
    const journeys: Journey[] = Array.from({ length: JOURNEYS }, (_x, i) => ({
      i,
      email: `client.topologie.${i}@example.org`,
      address: `198.51.100.${i + 1}`,
      start: hourAfter(t0, 2 * DAY + i * HOUR),
    }));
    const deadline = t0 + LOAD_DEADLINE_MS;
    const running: Array<Promise<void>> = [];
    let kill: Promise<Awaited<ReturnType<typeof killMidOperation>>> | undefined;
    let restarted: Promise<unknown> | undefined;
    for (const j of journeys) {
      if (Date.now() > deadline) throw new Error('the load ran past its deadline');
      if (j.i === KILL_AFTER) {
        kill = killMidOperation();
        // As the orchestrator does (compose: restart unless-stopped): both come back once dead.
        restarted = kill.then(() => Promise.all([stack.restartGateway(0), stack.restartWorker(0)]));
      }
      running.push(journey(j));
      await pause(ARRIVAL_MS); // open loop: the next client arrives whatever happened to this one
    }
    const outcomes = await Promise.allSettled(running);
    const failed = outcomes.flatMap((o, i) => (o.status === 'rejected' ? [`journey ${i}: ${String(o.reason)}`] : []));
    expect(failed).toEqual([]);
    const killReport = await kill!;
    await restarted;
    report.load = { journeys: JOURNEYS, arrivalMs: ARRIVAL_MS, seconds: (Date.now() - t0) / 1000 };
    report.kills = { worker: 'worker-1', gateway: 'gateway-1', ...killReport, requestsLostWithTheGateway: counts.lost };

    // Both kills landed mid-operation: each killed program had a statement waiting in PostgreSQL, and clients lost
    // the answers of the gateway's requests in flight.
    expect(killReport.cutMidStatement.map((w) => w.program)).toEqual(expect.arrayContaining(['gateway-1', 'worker-1']));
    expect(killReport.cutMidStatement.find((w) => w.program === 'gateway-1')!.statement).toMatch(/INSERT INTO customer/);
    expect(killReport.cutMidStatement.find((w) => w.program === 'worker-1')!.statement).toMatch(/INSERT INTO pack_event/);
    expect(counts.lost).toBeGreaterThan(0);

    await Promise.all(journeys.map((j) => settled(j.packId!)));
    const states = await Promise.all(journeys.map((j) => packState(j)));
    const q = async (sql: string) => (await db.query<{ pack_id: string; n: string }>(sql)).rows;
    const perPack = (rows: Array<{ pack_id: string; n: string }>) => new Map(rows.map((r) => [r.pack_id, Number(r.n)]));
    const [packsPerEmail, payments, bookings, slots, refunds] = await Promise.all([
      q('SELECT c.email AS pack_id, count(*) AS n FROM pack p JOIN customer c ON c.id = p.customer_id GROUP BY c.email'),
      // The projection's amount paid, in prices: 1 is the price once (a second payment accepted would show 2).
      q('SELECT id::text AS pack_id, paid_cents::float / price_cents AS n FROM pack'),
      q("SELECT pack_id, count(*) AS n FROM booking WHERE status <> 'CANCELLED' GROUP BY pack_id"),
      q('SELECT pack_id, count(*) AS n FROM calendar_slot WHERE released_at IS NULL GROUP BY pack_id'),
      q('SELECT pack_id, count(*) AS n FROM refund GROUP BY pack_id'),
    ]);
    const [invoices, creditNotes] = await Promise.all(
      ['invoice', 'credit_note'].map(async (kind) =>
        perPack(await q(`SELECT pack_id::text AS pack_id, count(*) AS n FROM invoice WHERE kind = '${kind}' GROUP BY pack_id`)),
      ),
    );

    // Every order exactly once, paid once, booked once, at its own time, invoiced once; those who withdrew refunded
    // once, their session given back, one credit note; nothing else refunded.
    const each = journeys.map((j, k) => ({
      journey: j.i,
      packs: perPack(packsPerEmail).get(j.email),
      status: states[k].status,
      payments: [states[k].payments.map((p) => p.reference), perPack(payments).get(j.packId!)],
      bookings: [
        states[k].bookings.filter((b) => b.status !== 'CANCELLED').map((b) => [b.id, b.start]),
        perPack(bookings).get(j.packId!) ?? 0,
      ],
      slots: perPack(slots).get(j.packId!) ?? 0,
      refunds: perPack(refunds).get(j.packId!) ?? 0,
      documents: [invoices.get(j.packId!) ?? 0, creditNotes.get(j.packId!) ?? 0],
    }));
    expect(each).toEqual(
      journeys.map((j) =>
        withdraws(j)
          ? {
              journey: j.i,
              packs: 1,
              status: 'WITHDRAWN',
              payments: [[j.reference], 1],
              bookings: [[], 0],
              slots: 0,
              refunds: 1,
              documents: [1, 1],
            }
          : {
              journey: j.i,
              packs: 1,
              status: 'ACTIVE',
              payments: [[j.reference], 1],
              bookings: [[[j.bookingId, j.start]], 1],
              slots: 1,
              refunds: 0,
              documents: [1, 0],
            },
      ),
    );
    // Each series numbered without a gap, whatever the kills cut.
    const series = (
      await db.query<{ kind: string; seqs: number[] }>(
        'SELECT kind, array_agg(seq ORDER BY seq) AS seqs FROM invoice GROUP BY kind ORDER BY kind',
      )
    ).rows;
    const withdrawn = journeys.filter(withdraws).length;
    expect(series).toEqual([
      { kind: 'credit_note', seqs: Array.from({ length: withdrawn }, (_x, i) => i + 1) },
      { kind: 'invoice', seqs: Array.from({ length: JOURNEYS }, (_x, i) => i + 1) },
    ]);
    const duplicates = (m: Map<string, number>) => [...m.values()].filter((n) => n > 1).length;

    // No email twice: each outbox key delivered once to the SMTP relay, every email of the outbox sent.
    const keys = sink.messages.map((m) => (m.parsed.headers.get('x-imaginasite-key') as string | undefined) ?? '');
    const duplicateEmails = keys.length - new Set(keys).size;
    const outbox = (await db.query<{ status: string; n: string }>('SELECT status, count(*) AS n FROM outbox_email GROUP BY status')).rows;
    expect({ duplicateEmails, outbox }).toEqual({ duplicateEmails: 0, outbox: [{ status: 'SENT', n: String(keys.length) }] });
    for (const j of journeys)
      expect(sink.messages.filter((m) => m.to.includes(j.email)).map((m) => m.subject)).toContainEqual(
        expect.stringMatching(/^Séance confirmée/),
      );

    // Every 2xx a client got has its effect (checked above per journey: the pack, its payment, its booking).
    expect(acknowledged.filter((a) => a.what === 'order')).toHaveLength(JOURNEYS);
    expect(acknowledged.filter((a) => a.what === 'payment')).toHaveLength(JOURNEYS);
    expect(acknowledged.filter((a) => a.what === 'withdrawal').length).toBeLessThanOrEqual(withdrawn);

    report.figures = {
      ordersPaidAndBookedOnce: each.length,
      unknownBookings: journeys.filter((j) => j.unknownBooking).map((j) => ({ journey: j.i, then: j.unknownBooking })),
      duplicates: {
        orders: 0,
        payments: 0,
        bookings: 0,
        emails: duplicateEmails,
        refunds: duplicates(perPack(refunds)),
        invoices: duplicates(invoices),
        creditNotes: duplicates(creditNotes),
      },
      withdrawals: withdrawn,
      documents: { invoices: JOURNEYS, creditNotes: withdrawn },
      emails: keys.length,
      acknowledged2xx: acknowledged.length,
    };
  }, 300_000);

  test('two gateways share the rate limits in PostgreSQL: from one address, the limit+1-th order is refused, whichever gateway takes it', async () => {
    // The default limit, 10 orders a minute per address: five through each gateway, then the eleventh.
    const address = '203.0.113.7';
    const order = (n: number) =>
      send(n % 2, 'POST', '/api/orders', {
        body: {
          packCode: 'PACK_1H',
          customer: { name: 'Même Adresse', email: `meme.adresse.${n}@example.org` },
          paymentMethod: 'bank_transfer',
          consents: CONSENTS,
        },
        headers: { 'x-forwarded-for': address, 'idempotency-key': `topology-limit-${n}` },
      });
    const statuses: number[] = [];
    for (let n = 0; n < 11; n++) {
      const out = await order(n);
      statuses.push(out.kind === 'answer' ? out.status : -1);
    }
    expect(statuses).toEqual([...Array<number>(10).fill(201), 429]);
    const eleventh = await order(11);
    expect(eleventh).toMatchObject({ kind: 'answer', status: 429, body: { error: { code: 'RATE_LIMITED' } } });
    const { rows } = await db.query<{ key: string; points: number }>('SELECT key, points FROM rate_limit.hits WHERE key = $1', [
      `orders:${address}`,
    ]);
    expect(rows.map((r) => [r.key, r.points >= 10])).toEqual([[`orders:${address}`, true]]); // one count for both
  });
});
