import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import type { Client } from '@temporalio/client';
import { createApp } from '../../src/gateway/app';
import { loadConfig } from '../../src/infra/config';
import { closePrisma, createPrisma, type PrismaClient } from '../../src/infra/database';
import { createMailer } from '../../src/infra/mailer';
import type { SmtpSink } from '../../src/infra/smtp-sink';
import { DEFAULT_CATALOG } from '../../src/shared/catalog';
import { DEFAULT_SETTINGS } from '../../src/shared/policy';
import { freePort, migrate } from '../../scripts/lib/local-stack';
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

// PostgreSQL stopped, then started again (its own server process here, so the shared one is untouched): the
// gateway answers 503 with a clear message meanwhile and recovers by itself; the workflow goes on and the
// projection catches up.
const TOKEN = 'pg-outage-provider-token-0123456789';

describe('PostgreSQL stopped, then restarted', () => {
  let pg: ChildProcess | undefined;
  let dataDir: string;
  let port: number;
  let prisma: PrismaClient;
  let client: Client;
  let sink: SmtpSink;
  let worker: RunningWorker;
  let app: ReturnType<typeof createApp>;

  const startPg = async () => {
    pg = await spawnProgram('test/support/pg-server.ts', [dataDir, String(port)], {}, 'ready');
  };
  const stopPg = () => stopProgram(pg!, 'SIGTERM');

  beforeAll(async () => {
    dataDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pg-outage-')), 'pgdata');
    fs.chmodSync(path.dirname(dataDir), 0o755);
    port = await freePort();
    await startPg();
    const url = `postgresql://imaginasite:imaginasite@127.0.0.1:${port}/imaginasite`;
    await migrate(url);
    prisma = createPrisma(url, 5);
    await prisma.availability.create({ data: { id: 1, ...OPEN_ALL_THE_TIME } });
    [client, sink] = await Promise.all([devServerClient(), startSmtpSink()]);
    worker = await startDevWorker(realActivities({ prisma, smtpUrl: sink.url }));
    const config = loadConfig({
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
    await closePrisma(prisma).catch(() => undefined);
    if (pg && pg.exitCode === null) await stopPg();
  });

  test('503 with a clear message while it is down, recovery by itself, and the projection catches up', async () => {
    const order = await request(app)
      .post('/api/orders')
      .send({
        packCode: 'PACK_1H',
        customer: { name: 'Base Arrêtée', email: 'pg@example.org' },
        paymentMethod: 'bank_transfer',
        consents: CONSENTS,
      });
    expect(order.status).toBe(201);
    const admin = () => request(app).get('/api/admin/packs').set('authorization', `Bearer ${TOKEN}`);
    expect((await admin()).status).toBe(200);

    await stopPg();
    const down = await admin();
    expect([down.status, down.body.error.code]).toEqual([503, 'UNAVAILABLE']);
    expect(down.body.error.message).toContain('indisponible');
    const health = await request(app).get('/health');
    expect([health.status, health.body.checks.postgres.ok, health.body.checks.temporal.ok]).toEqual([503, false, true]);

    // The pack itself lives in Temporal: the client withdraws while the database is down, and is answered.
    const withdrawn = await request(app)
      .post(`/api/packs/${order.body.packId}/withdraw`)
      .set('authorization', `Bearer ${order.body.accessToken}`);
    expect([withdrawn.status, withdrawn.body.status]).toEqual([200, 'WITHDRAWN']); // its projection waits for the database

    await startPg();
    let recovered = await admin();
    for (let i = 0; i < 100 && (recovered.status !== 200 || recovered.body.packs[0]?.status !== 'WITHDRAWN'); i++) {
      await new Promise((r) => setTimeout(r, 200));
      recovered = await admin();
    }
    expect(recovered.status).toBe(200);
    expect(recovered.body.packs[0]).toMatchObject({ packId: order.body.packId, status: 'WITHDRAWN' });
    expect((await request(app).get('/health')).status).toBe(200);
  }, 120_000);
});
