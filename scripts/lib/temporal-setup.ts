// The project's own setup step of a Temporal namespace for pack workflows: the namespace, when missing, and the search
// attributes the workflows upsert (src/shared/search-attributes.ts), checked at the end as the worker checks them at
// start-up (src/infra/temporal.ts). docker-compose.yml's `temporal-setup` job and the topology test run it, on a
// Temporal server that has its schema but nothing else:
//
//   TEMPORAL_ADDRESS=temporal:7233 TEMPORAL_NAMESPACE=default node --import tsx scripts/lib/temporal-setup.ts
//
// Running it again changes nothing. Temporal's dev server (`npm start`, the tests) registers both itself.
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { checkSearchAttributes } from '../../src/infra/temporal';
import { SEARCH_ATTRIBUTES } from '../../src/shared/search-attributes';
import { errorMessage } from './supervisor';

/**
 * How long the histories of closed packs stay readable in Temporal (the UI, the CLI). The business's records are in
 * PostgreSQL; a pack's workflow closes months after its order, once nothing more can happen to it.
 */
export const RETENTION_DAYS = 30;

const { IndexedValueType } = temporal.api.enums.v1;
const NOT_FOUND = 5; // gRPC status codes
const ALREADY_EXISTS = 6;
const code = (err: unknown) => (err as { code?: number }).code;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Registers `namespace` and the pack workflows' search attributes where missing; resolves once the worker would start. */
export async function setUpNamespace(
  connection: Connection,
  namespace: string,
  opts: { timeoutMs?: number; say?: (message: string) => void } = {},
): Promise<{ namespaceCreated: boolean; attributesAdded: string[] }> {
  const say = opts.say ?? (() => undefined);
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  /** Retries what fails while a namespace just registered is not yet known to every service of the server. */
  const retrying = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    for (;;) {
      try {
        return await fn();
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`Temporal setup of '${namespace}': ${what} failed: ${errorMessage(err)}`);
        await sleep(500);
      }
    }
  };

  let namespaceCreated = false;
  try {
    await connection.workflowService.describeNamespace({ namespace });
  } catch (err) {
    if (code(err) !== NOT_FOUND) throw err;
    try {
      await connection.workflowService.registerNamespace({
        namespace,
        workflowExecutionRetentionPeriod: msToTs(`${RETENTION_DAYS} days`),
      });
      namespaceCreated = true;
      say(`namespace '${namespace}' registered (closed histories kept ${RETENTION_DAYS} days)`);
    } catch (e) {
      if (code(e) !== ALREADY_EXISTS) throw e; // another setup got there first
    }
  }

  const listed = await retrying('listing the search attributes', () => connection.operatorService.listSearchAttributes({ namespace }));
  const known = { ...(listed.customAttributes ?? {}), ...(listed.systemAttributes ?? {}) };
  const missing = SEARCH_ATTRIBUTES.filter((k) => !(k.name in known));
  if (missing.length > 0) {
    await retrying('adding the search attributes', () =>
      connection.operatorService.addSearchAttributes({
        namespace,
        searchAttributes: Object.fromEntries(missing.map((k) => [k.name, IndexedValueType[`INDEXED_VALUE_TYPE_${k.type}`]])),
      }),
    );
    say(`search attributes ${missing.map((k) => k.name).join(', ')} added to '${namespace}'`);
  }
  await retrying('the worker’s start-up check', () => checkSearchAttributes(connection, namespace, SEARCH_ATTRIBUTES));
  return { namespaceCreated, attributesAdded: missing.map((k) => k.name) };
}

async function main(): Promise<void> {
  const address = process.env.TEMPORAL_ADDRESS ?? 'localhost:7233';
  const namespace = process.env.TEMPORAL_NAMESPACE || 'default';
  const deadline = Date.now() + 120_000;
  // In a compose file the server may still be starting: its port is retried for two minutes.
  let connection: Connection | undefined;
  while (!connection) {
    try {
      connection = await Connection.connect({ address, connectTimeout: 5000 });
      await connection.workflowService.getSystemInfo({});
    } catch (err) {
      await connection?.close();
      connection = undefined;
      if (Date.now() > deadline) throw new Error(`Temporal at ${address} did not answer: ${errorMessage(err)}`);
      await sleep(1000);
    }
  }
  try {
    const done = await setUpNamespace(connection, namespace, { say: (m) => console.log(`[temporal-setup] ${m}`) });
    console.log(
      `[temporal-setup] namespace '${namespace}' ready on ${address}` +
        (done.namespaceCreated || done.attributesAdded.length ? '' : ' (nothing to do: already set up)'),
    );
  } finally {
    await connection.close();
  }
}

if (require.main === module) {
  main().catch((err) => {
    console.error(`[temporal-setup] ${errorMessage(err)}`);
    process.exit(1);
  });
}
