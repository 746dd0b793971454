import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import request from 'supertest';
import type { Client } from '@temporalio/client';
import { createApp } from '../../src/gateway/app';
import { loadGatewayConfig, SAMPLE_SELLER_ENV } from '../../src/infra/config';
import { closePrisma, createPrisma, type PrismaClient } from '../../src/infra/database';
import { createMailer } from '../../src/infra/mailer';
import type { SmtpSink } from '../../src/infra/smtp-sink';
import { DEFAULT_CATALOG } from '../../src/shared/catalog';
import { packWorkflowId } from '../../src/shared/pack';
import { DEFAULT_SETTINGS } from '../../src/shared/policy';
import { freePort } from '../../scripts/lib/local-stack';
import { packSettled } from '../support/dev-world';
import { CONSENTS, OPEN_ALL_THE_TIME } from '../support/packs';
import {
  devServerClient,
  realActivities,
  spawnProgram,
  startDevWorker,
  startSmtpSink,
  stopProgram,
  stripeApiUrl,
  testStripe,
  type RunningWorker,
} from '../support/stack';
import { until } from '../support/until';

// PostgreSQL stopped, then started again (its own server process here, so the shared one is untouched): the
// gateway answers 503 with a clear message meanwhile and recovers by itself; the workflow goes on and the
// projection catches up.
const TOKEN = 'pg-outage-provider-token-0123456789';

/**
 * The migrations' SQL, applied in order as `prisma migrate deploy` applies it: its CLI took ~11 s to start here, and
 * the global setup runs the real `prisma migrate deploy` on every run anyway.
 */
async function applyMigrations(url: string): Promise<void> {
  const dir = path.join(__dirname, '../../prisma/migrations');
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    for (const m of fs
      .readdirSync(dir)
      .filter((d) => fs.existsSync(path.join(dir, d, 'migration.sql')))
      .sort()) {
      await c.query(fs.readFileSync(path.join(dir, m, 'migration.sql'), 'utf8'));
    }
  } finally {
    await c.end();
  }
}

describe('PostgreSQL stopped, then restarted', () => {
  let pgServer: ChildProcess | undefined;
  let dataDir: string;
  let port: number;
  let prisma: PrismaClient;
  let client: Client;
  let sink: SmtpSink;
  let worker: RunningWorker;
  let app: ReturnType<typeof createApp>;

  const startPg = async () => {
    pgServer = await spawnProgram('test/support/pg-server.ts', [dataDir, String(port)], {}, 'ready');
  };
  const stopPg = () => stopProgram(pgServer!, 'SIGTERM');

  beforeAll(async () => {
    dataDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pg-outage-')), 'pgdata');
    fs.chmodSync(path.dirname(dataDir), 0o755);
    port = await freePort();
    await startPg();
    const url = `postgresql://imaginasite:imaginasite@127.0.0.1:${port}/imaginasite`;
    await applyMigrations(url);
    prisma = createPrisma(url, 5);
    await prisma.availability.create({ data: { id: 1, ...OPEN_ALL_THE_TIME } });
    [client, sink] = await Promise.all([devServerClient(), startSmtpSink()]);
    worker = await startDevWorker(realActivities({ prisma, smtpUrl: sink.url }));
    const config = loadGatewayConfig({
      ...SAMPLE_SELLER_ENV,
      DATABASE_URL: url,
      STRIPE_SECRET_KEY: 'sk_test_imaginasite',
      STRIPE_API_URL: stripeApiUrl(),
      STRIPE_WEBHOOK_SECRET: 'whsec_test',
      PROVIDER_API_TOKEN: TOKEN,
      ACCESS_TOKEN_SECRET: 'x'.repeat(40),
      TEMPORAL_TASK_QUEUE: worker.taskQueue,
      SMTP_URL: sink.url,
    });
    app = createApp({
      client,
      prisma,
      mailer: createMailer(sink.url),
      stripe: testStripe(),
      config,
      catalog: DEFAULT_CATALOG,
      settings: DEFAULT_SETTINGS,
    });
  }, 120_000);
  afterAll(async () => {
    await worker?.stop();
    await client?.connection.close();
    await sink?.stop();
    await closePrisma(prisma);
    if (pgServer) await stopPg();
  });

  test('503 with a clear message while it is down, recovery by itself, and the projection catches up', async () => {
    const email = 'pg@example.org';
    const order = await request(app)
      .post('/api/orders')
      .send({ packCode: 'PACK_1H', customer: { name: 'Base Arrêtée', email }, paymentMethod: 'bank_transfer', consents: CONSENTS });
    expect(order.status).toBe(201);
    const packId = order.body.packId as string;
    const handle = client.workflow.getHandle(packWorkflowId(packId));
    const admin = () => request(app).get('/api/admin/packs').set('authorization', `Bearer ${TOKEN}`);
    expect((await admin()).status).toBe(200);
    // The order's recording and email are done before the outage: what it interrupts is the withdrawal's.
    await packSettled(client, prisma, packId);

    await stopPg();
    const down = await admin();
    expect([down.status, down.body.error.code]).toEqual([503, 'UNAVAILABLE']);
    expect(down.body.error.message).toContain('indisponible');
    // Anyone reads the status; the provider reads which service is down (and how), never where it runs.
    expect((await request(app).get('/health')).body).toEqual({ status: 'degraded' });
    const health = await request(app).get('/health').set('authorization', `Bearer ${TOKEN}`);
    expect([health.status, health.body.checks.postgres.ok, health.body.checks.postgres.problem, health.body.checks.temporal.ok]).toEqual([
      503,
      false,
      'unreachable',
      true,
    ]);
    expect(JSON.stringify(health.body)).not.toMatch(/127\.0\.0\.1|localhost|imaginasite@/);

    // The pack itself lives in Temporal: the client withdraws while the database is down, and is answered.
    const withdrawn = await request(app).post(`/api/packs/${packId}/withdraw`).set('authorization', `Bearer ${order.body.accessToken}`);
    expect([withdrawn.status, withdrawn.body.status]).toEqual([200, 'WITHDRAWN']);
    // Its recording is what the outage cuts: the activity fails on the stopped server and waits for its next attempt.
    const { raw } = await until(
      () => handle.describe(),
      (d) => (d.raw.pendingActivities ?? []).some((a) => a.activityType?.name === 'recordPackEvents' && (a.attempt ?? 0) >= 2),
      'the withdrawal’s recording to fail against the stopped database',
    );
    const recording = raw.pendingActivities!.find((a) => a.activityType?.name === 'recordPackEvents')!;
    expect(recording.lastFailure?.message).toMatch(/ECONNREFUSED|connect|terminat|Can't reach/i);

    await startPg();
    // Once a retry reaches the database again, the projection shows the withdrawal, and its email goes, once.
    const recovered = await until(
      () => admin(),
      (r) => r.status === 200 && (r.body as { packs: Array<{ status: string }> }).packs[0]?.status === 'WITHDRAWN',
      'the projection to catch up',
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    expect(recovered.body.packs[0]).toMatchObject({ packId, status: 'WITHDRAWN' });
    // /health answers from a cache of a few seconds: it turns ok within that.
    await until(
      () => request(app).get('/health'),
      (r) => r.status === 200,
      'health back to ok',
      { timeoutMs: 10_000 },
    );
    await packSettled(client, prisma, packId);
    expect(sink.messages.filter((m) => m.to.includes(email)).map((m) => m.subject)).toEqual([
      'Votre commande Pack 1 heure est enregistrée',
      'Rétractation enregistrée',
    ]);
  }, 120_000);
});
