import crypto from 'node:crypto';
import type { Client } from '@temporalio/client';
import { placeOrder } from '../../src/gateway/orders';
import { checkSearchAttributes } from '../../src/infra/temporal';
import { DEFAULT_CATALOG } from '../../src/shared/catalog';
import { getPackState, packWorkflowId, paymentReceived } from '../../src/shared/pack';
import { DEFAULT_SETTINGS } from '../../src/shared/policy';
import { SEARCH_ATTRIBUTES } from '../../src/shared/search-attributes';
import type { SmtpSink } from '../../src/infra/smtp-sink';
import { CONSENTS } from '../support/packs';
import {
  createTestDatabase,
  devServerClient,
  realActivities,
  startDevWorker,
  startSmtpSink,
  type RunningWorker,
  type TestDatabase,
} from '../support/stack';

// The pack workflow on the Temporal dev server (the server `npm start` runs), with the real worker and activities.
describe('pack workflow on the dev server', () => {
  let db: TestDatabase;
  let sink: SmtpSink;
  let client: Client;
  let worker: RunningWorker;

  beforeAll(async () => {
    [db, sink, client] = await Promise.all([createTestDatabase(), startSmtpSink(), devServerClient()]);
    worker = await startDevWorker(realActivities({ prisma: db.prisma, smtpUrl: sink.url }));
  });
  afterAll(async () => {
    await worker?.stop();
    await client?.connection.close();
    await sink?.stop();
    await db?.drop();
  });

  const deps = () => ({
    client,
    prisma: db.prisma,
    taskQueue: worker.taskQueue,
    catalog: DEFAULT_CATALOG,
    settings: DEFAULT_SETTINGS,
    cgvVersion: 'test',
  });
  const order = (orderKey: string, email = 'dev-server@example.org') =>
    placeOrder(
      deps(),
      { packCode: 'PACK_HALF_DAY', customer: { name: 'Jean Dupont', email }, paymentMethod: 'bank_transfer', consents: CONSENTS },
      { orderKey, ip: '127.0.0.1', userAgent: 'jest' },
    );

  test('placing the same order twice makes one pack and one workflow', async () => {
    const key = crypto.randomUUID();
    const [a, b] = await Promise.all([order(key), order(key)]);
    expect(a.packId).toBe(b.packId);
    expect(await db.prisma.pack.count({ where: { orderKey: key } })).toBe(1);
    const runs: string[] = [];
    for await (const wf of client.workflow.list({ query: `WorkflowId = '${packWorkflowId(a.packId)}'` })) runs.push(wf.runId);
    expect(runs.length).toBeLessThanOrEqual(1); // visibility may lag; the start itself is refused for a duplicate id
    const again = await order(key);
    expect(again.created).toBe(false);
  });

  test('a paid pack is listed through Temporal visibility by status, and its input holds no personal data', async () => {
    const placed = await order(crypto.randomUUID(), 'visible@example.org');
    const handle = client.workflow.getHandle(packWorkflowId(placed.packId));
    await handle.signal(paymentReceived, {
      method: 'bank_transfer',
      amountCents: placed.priceCents,
      reference: placed.bankReference,
      paidAt: new Date().toISOString(),
      idempotencyKey: `transfer-${placed.packId}`,
    });
    let state = await handle.query(getPackState);
    for (let i = 0; i < 100 && state.status !== 'ACTIVE'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      state = await handle.query(getPackState);
    }
    expect(state.status).toBe('ACTIVE');
    let listed: string[] = [];
    for (let i = 0; i < 50 && listed.length === 0; i++) {
      listed = [];
      for await (const wf of client.workflow.list({
        query: `PackStatus = 'ACTIVE' AND PackCode = 'PACK_HALF_DAY' AND WorkflowId = '${handle.workflowId}'`,
      }))
        listed.push(wf.workflowId);
      if (listed.length === 0) await new Promise((r) => setTimeout(r, 200));
    }
    expect(listed).toEqual([handle.workflowId]);
    const history = JSON.stringify(await handle.fetchHistory());
    expect(history).not.toContain('visible@example.org');
    expect(history).not.toContain('Jean Dupont');
    // The projection in PostgreSQL follows.
    for (let i = 0; i < 50; i++) {
      if ((await db.prisma.pack.findUniqueOrThrow({ where: { id: placed.packId } })).status === 'ACTIVE') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect((await db.prisma.pack.findUniqueOrThrow({ where: { id: placed.packId } })).status).toBe('ACTIVE');
  });

  test('the worker’s start-up check finds the search attributes on the dev server, and names a missing one with the command to create it', async () => {
    await expect(checkSearchAttributes(client.connection, 'default', SEARCH_ATTRIBUTES)).resolves.toBeUndefined();
    await expect(checkSearchAttributes(client.connection, 'default', [{ name: 'PackNotRegistered', type: 'KEYWORD' }])).rejects.toThrow(
      'temporal operator search-attribute create --namespace default --name PackNotRegistered --type Keyword',
    );
  });
});
