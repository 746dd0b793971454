import crypto from 'node:crypto';
import { checkSearchAttributes } from '../../src/infra/temporal';
import { packWorkflowId, paymentReceived } from '../../src/shared/pack';
import { SEARCH_ATTRIBUTES } from '../../src/shared/search-attributes';
import { createDevWorld, type DevWorld } from '../support/dev-world';
import { until } from '../support/until';

// The pack workflow on the Temporal dev server (the server `npm start` runs), with the real worker and activities.
describe('pack workflow on the dev server', () => {
  let w: DevWorld;

  beforeAll(async () => {
    w = await createDevWorld();
  });
  afterAll(async () => {
    await w?.teardown();
  });

  const order = (orderKey: string, email = 'dev-server@example.org') =>
    w.order({ orderKey, email, name: 'Jean Dupont', packCode: 'PACK_HALF_DAY', paymentMethod: 'bank_transfer' });
  /** Run ids Temporal's visibility lists for a workflow id, waiting until it lists at least one. */
  const listedRuns = (workflowId: string) =>
    until(
      async () => {
        const runs: string[] = [];
        for await (const wf of w.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs.push(wf.runId);
        return runs;
      },
      (runs) => runs.length > 0,
      `visibility to list ${workflowId}`,
      { intervalMs: 200 },
    );

  test('placing the same order twice makes one pack and one workflow', async () => {
    const key = crypto.randomUUID();
    const [a, b] = await Promise.all([order(key), order(key)]);
    expect(a.packId).toBe(b.packId);
    expect([a.created, b.created].sort()).toEqual([false, true]);
    expect(await w.db.prisma.pack.count({ where: { orderKey: key } })).toBe(1);
    const { runId } = await w.client.workflow.getHandle(packWorkflowId(a.packId)).describe();
    expect(await listedRuns(packWorkflowId(a.packId))).toEqual([runId]);
    const again = await order(key);
    expect(again.created).toBe(false);
    expect(await listedRuns(packWorkflowId(a.packId))).toEqual([runId]);
  });

  test('a paid pack is listed through Temporal visibility by status, and its input holds no personal data', async () => {
    const placed = await order(crypto.randomUUID(), 'visible@example.org');
    const handle = w.handle(placed.packId);
    await handle.signal(paymentReceived, {
      method: 'bank_transfer',
      amountCents: placed.priceCents,
      reference: placed.bankReference,
      paidAt: new Date().toISOString(),
      idempotencyKey: `transfer-${placed.packId}`,
    });
    await w.until(placed.packId, (s) => s.status === 'ACTIVE', 'the payment');
    const listed = await until(
      async () => {
        const ids: string[] = [];
        for await (const wf of w.client.workflow.list({
          query: `PackStatus = 'ACTIVE' AND PackCode = 'PACK_HALF_DAY' AND WorkflowId = '${handle.workflowId}'`,
        }))
          ids.push(wf.workflowId);
        return ids;
      },
      (ids) => ids.length > 0,
      'visibility to list the pack as ACTIVE',
      { intervalMs: 200 },
    );
    expect(listed).toEqual([handle.workflowId]);
    const history = JSON.stringify(await handle.fetchHistory());
    expect(history).not.toContain('visible@example.org');
    expect(history).not.toContain('Jean Dupont');
    // The projection in PostgreSQL follows.
    await until(
      () => w.db.prisma.pack.findUniqueOrThrow({ where: { id: placed.packId } }),
      (p) => p.status === 'ACTIVE',
      'the projection to show the pack ACTIVE',
    );
  });

  test('the worker’s start-up check finds the search attributes on the dev server, and names a missing one with the command to create it', async () => {
    await expect(checkSearchAttributes(w.client.connection, 'default', SEARCH_ATTRIBUTES)).resolves.toBeUndefined();
    await expect(checkSearchAttributes(w.client.connection, 'default', [{ name: 'PackNotRegistered', type: 'KEYWORD' }])).rejects.toThrow(
      'temporal operator search-attribute create --namespace default --name PackNotRegistered --type Keyword',
    );
  });
});
