import fs from 'node:fs';
import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import type { NativeConnectionOptions } from '@temporalio/worker';
import type { Config } from './config';

type TemporalSettings = Pick<
  Config,
  | 'TEMPORAL_ADDRESS'
  | 'TEMPORAL_API_KEY'
  | 'TEMPORAL_TLS'
  | 'TEMPORAL_TLS_CERT_PATH'
  | 'TEMPORAL_TLS_KEY_PATH'
  | 'TEMPORAL_TLS_CA_PATH'
  | 'TEMPORAL_TLS_SERVER_NAME'
>;

/** Connection options shared by the client and the worker: plain on loopback, TLS/mTLS or API key for a cluster or Temporal Cloud. */
export function temporalConnectionOptions(c: TemporalSettings): ConnectionOptions & NativeConnectionOptions {
  const mtls = c.TEMPORAL_TLS_CERT_PATH && c.TEMPORAL_TLS_KEY_PATH;
  const tlsOn = c.TEMPORAL_TLS ?? Boolean(mtls || c.TEMPORAL_API_KEY);
  const tls = tlsOn
    ? {
        serverNameOverride: c.TEMPORAL_TLS_SERVER_NAME,
        serverRootCACertificate: c.TEMPORAL_TLS_CA_PATH ? fs.readFileSync(c.TEMPORAL_TLS_CA_PATH) : undefined,
        clientCertPair: mtls
          ? { crt: fs.readFileSync(c.TEMPORAL_TLS_CERT_PATH!), key: fs.readFileSync(c.TEMPORAL_TLS_KEY_PATH!) }
          : undefined,
      }
    : undefined;
  return { address: c.TEMPORAL_ADDRESS, tls, apiKey: c.TEMPORAL_API_KEY };
}

export async function createTemporalClient(
  c: TemporalSettings & Pick<Config, 'TEMPORAL_NAMESPACE'>,
  dataConverter?: DataConverter,
): Promise<Client> {
  const connection = await Connection.connect(temporalConnectionOptions(c));
  return new Client({ connection, namespace: c.TEMPORAL_NAMESPACE, dataConverter });
}

/**
 * Start-up check: the pack workflows upsert these search attributes, and a namespace without them would fail every
 * pack's first workflow task. Says exactly what to run when one is missing.
 */
export async function checkSearchAttributes(
  connection: Pick<Connection, 'operatorService'>,
  namespace: string,
  keys: ReadonlyArray<{ name: string; type: string }>,
): Promise<void> {
  let known: Record<string, unknown>;
  try {
    const res = await connection.operatorService.listSearchAttributes({ namespace });
    known = { ...(res.customAttributes ?? {}), ...(res.systemAttributes ?? {}) };
  } catch (err) {
    // Some hosted namespaces do not grant the operator API to workers: then the check is the operator's.
    console.warn(`[temporal] could not list search attributes of '${namespace}' (${(err as Error).message}); assuming they exist`);
    return;
  }
  const missing = keys.filter((k) => !(k.name in known));
  if (missing.length > 0) {
    const cmds = missing.map(
      (k) =>
        `temporal operator search-attribute create --namespace ${namespace} --name ${k.name} --type ${k.type.charAt(0) + k.type.slice(1).toLowerCase()}`,
    );
    throw new Error(
      `Temporal namespace '${namespace}' lacks the search attributes of pack workflows; create them with:\n  ${cmds.join('\n  ')}`,
    );
  }
}
