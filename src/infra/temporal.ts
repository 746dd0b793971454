import fs from 'node:fs';
import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
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

export async function createTemporalClient(c: TemporalSettings & Pick<Config, 'TEMPORAL_NAMESPACE'>): Promise<Client> {
  const connection = await Connection.connect(temporalConnectionOptions(c));
  return new Client({ connection, namespace: c.TEMPORAL_NAMESPACE });
}
