// Starts the services every test file shares, once per `npm test`: embedded PostgreSQL with a migrated template
// database (each test file clones its own database from it), the Temporal dev server (each file uses its own task
// queue), stripe-mock, and one workflow bundle. Their addresses reach the test workers through the environment.
import fs from 'node:fs';
import { SAMPLE_SELLER_ENV } from '../../src/infra/config';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { SEARCH_ATTRIBUTES } from '../../src/shared/search-attributes';
import { WORKFLOWS_PATH } from '../../src/worker/worker';
import { freePort, migrate, startPostgres, startStripeMock, startTemporalDevServer } from '../../scripts/lib/local-stack';
import { Supervisor } from '../../scripts/lib/supervisor';

export const TEMPLATE_DB = 'imaginasite_template';

export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'imaginasite-test-'));
  fs.chmodSync(dir, 0o755); // as root, PostgreSQL runs as the 'postgres' user and must reach its data directory
  const logs = path.join(dir, 'logs');
  const [pgPort, temporalPort, stripePort] = await Promise.all([freePort(), freePort(), freePort()]);
  // One supervisor for the stack: the teardown stops it in reverse order; if jest dies first, its lifeline does.
  const supervisor = new Supervisor();

  const [pg, temporal, stripe, bundle] = await Promise.all([
    (async () => {
      const pg = await startPostgres({
        dataDir: path.join(dir, 'postgres'),
        port: pgPort,
        log: path.join(logs, 'postgres.log'),
        supervisor,
      });
      await pg.createDatabase(TEMPLATE_DB);
      await migrate(pg.url(TEMPLATE_DB), supervisor);
      return pg;
    })(),
    startTemporalDevServer({
      port: temporalPort,
      namespace: 'default',
      searchAttributes: SEARCH_ATTRIBUTES,
      log: path.join(logs, 'temporal.log'),
      supervisor,
    }),
    startStripeMock({ port: stripePort, log: path.join(logs, 'stripe-mock.log'), supervisor }),
    bundleWorkflowCode({
      workflowsPath: WORKFLOWS_PATH,
      logger: { info() {}, warn() {}, error: console.error, debug() {}, trace() {}, log() {} },
    }),
  ]);
  const bundlePath = path.join(dir, 'workflow-bundle.js');
  fs.writeFileSync(bundlePath, bundle.code);

  Object.assign(process.env, {
    TEST_STACK_DIR: dir,
    TEST_PG_ADMIN_URL: pg.url('postgres'),
    TEST_PG_TEMPLATE: TEMPLATE_DB,
    TEST_TEMPORAL_ADDRESS: temporal.address,
    TEST_STRIPE_API_URL: stripe.url,
    WORKFLOW_BUNDLE_PATH: bundlePath,
    // The programs the tests start as processes (worker, gateway) need a seller: the sample one, unless set.
    ...Object.fromEntries(Object.entries(SAMPLE_SELLER_ENV).filter(([k]) => !process.env[k])),
  });
  (globalThis as Record<string, unknown>).__imaginasiteStack = { stop: () => supervisor.stopAll(), dir };
  process.stderr.write(`\n[test] local stack ready in ${((Date.now() - started) / 1000).toFixed(1)} s (logs in ${logs})\n`);
}
