import request from 'supertest';
import type { Client } from '@temporalio/client';
import { createApp } from '../../src/gateway/app';
import { createMailer } from '../../src/infra/mailer';
import type { SmtpSink } from '../../src/infra/smtp-sink';
import {
  createTestDatabase, devServerClient, realActivities, startDevWorker, startSmtpSink,
  type RunningWorker, type TestDatabase,
} from '../support/stack';

const TOKEN = 'test-provider-token-0123456789abcdef';

describe('walking skeleton: gateway → Temporal dev server → worker → PostgreSQL → query', () => {
  let db: TestDatabase;
  let sink: SmtpSink;
  let client: Client;
  let worker: RunningWorker;
  let app: ReturnType<typeof createApp>;

  beforeAll(async () => {
    [db, sink, client] = await Promise.all([createTestDatabase(), startSmtpSink(), devServerClient()]);
    worker = await startDevWorker(realActivities({ prisma: db.prisma, smtpUrl: sink.url }));
    app = createApp({
      client,
      prisma: db.prisma,
      mailer: createMailer(sink.url),
      config: { PROVIDER_API_TOKEN: TOKEN, TEMPORAL_TASK_QUEUE: worker.taskQueue },
    });
  });
  afterAll(async () => {
    await worker?.stop();
    await client?.connection.close();
    await sink?.stop();
    await db?.drop();
  });

  test('a workflow started by the gateway stores a row through its activity and the gateway reads it back by query', async () => {
    const created = await request(app).post('/api/admin/wiring-checks').set('authorization', `Bearer ${TOKEN}`).send({ message: 'bonjour' });
    expect(created.status).toBe(201);
    const { checkId } = created.body as { checkId: string };

    let state: { stored?: boolean } = {};
    for (let i = 0; i < 100 && !state.stored; i++) {
      const res = await request(app).get(`/api/admin/wiring-checks/${checkId}`).set('authorization', `Bearer ${TOKEN}`);
      expect(res.status).toBe(200);
      state = res.body;
      if (!state.stored) await new Promise((r) => setTimeout(r, 100));
    }
    expect(state).toMatchObject({ checkId, stored: true });
    const row = await db.prisma.wiringCheck.findUnique({ where: { id: checkId } });
    expect(row?.message).toBe('bonjour');
  });

  test('the admin API refuses a request without the provider token', async () => {
    const res = await request(app).post('/api/admin/wiring-checks').send({ message: 'x' });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHORIZED');
  });

  test('the health endpoint reports Temporal, PostgreSQL and SMTP as healthy', async () => {
    const res = await request(app).get('/health');
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ok');
    expect(res.body.checks.temporal.ok).toBe(true);
    expect(res.body.checks.postgres.ok).toBe(true);
    expect(res.body.checks.smtp.ok).toBe(true);
  });

  test('the health endpoint answers 503 and names SMTP when the mail server is down', async () => {
    const dead = createApp({
      client,
      prisma: db.prisma,
      mailer: createMailer('smtp://127.0.0.1:1'),
      config: { PROVIDER_API_TOKEN: TOKEN, TEMPORAL_TASK_QUEUE: worker.taskQueue },
    });
    const res = await request(dead).get('/health');
    expect(res.status).toBe(503);
    expect(res.body.checks.smtp.ok).toBe(false);
    expect(res.body.checks.postgres.ok).toBe(true);
  });
});
