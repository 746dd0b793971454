import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../../src/infra/config';
import { SEARCH_ATTRIBUTES } from '../../src/shared/search-attributes';

// docker-compose.yml is not run here (no Docker engine on these machines): these checks keep it honest.
interface Service {
  image?: string;
  build?: unknown;
  environment?: Record<string, string>;
  healthcheck?: { test: unknown };
  restart?: string;
  command?: unknown;
}
const text = fs.readFileSync(path.join(__dirname, '../../docker-compose.yml'), 'utf8');
const compose = parse(text, { merge: true }) as { services: Record<string, Service> };

/** Resolves `${NAME:-default}` / `${NAME:?msg}` as compose would, with sample values for the operator's secrets. */
function interpolate(value: string, vars: Record<string, string>): string {
  return value.replace(
    /\$\{(\w+)(?::([-?])([^}]*))?\}/g,
    (_m, name: string, op?: string, arg?: string) => vars[name] ?? (op === '-' ? (arg ?? '') : ''),
  );
}
const operatorVars = {
  POSTGRES_PASSWORD: 'pw',
  STRIPE_SECRET_KEY: 'sk_live_example',
  STRIPE_WEBHOOK_SECRET: 'whsec_example',
  PROVIDER_API_TOKEN: 'x'.repeat(40),
  ZOOM_MEETING_URL: 'https://zoom.us/j/123',
  ACCESS_TOKEN_SECRET: 'k'.repeat(40),
  BANK_IBAN: 'FR7630006000011234567890189',
  BANK_BIC: 'AGRIFRPPXXX',
  BANK_ACCOUNT_HOLDER: 'Jean Dupont EI',
};

describe('docker-compose.yml (production-shaped topology)', () => {
  test('has PostgreSQL, a Temporal server on PostgreSQL, the Temporal UI, an SMTP catcher, the worker and the gateway', () => {
    expect(Object.keys(compose.services)).toEqual(
      expect.arrayContaining(['postgres', 'temporal', 'temporal-ui', 'mailpit', 'worker', 'gateway']),
    );
    expect(compose.services.temporal.environment?.DB).toBe('postgres12');
  });

  test('every long-running service has a health check', () => {
    const longRunning = Object.entries(compose.services).filter(([, s]) => s.restart !== 'no');
    for (const [name, s] of longRunning) expect({ name, healthcheck: Boolean(s.healthcheck?.test) }).toEqual({ name, healthcheck: true });
  });

  test.each(['worker', 'gateway'])('the %s gets an environment that passes the start-up configuration check', (name) => {
    const env = Object.fromEntries(
      Object.entries(compose.services[name].environment ?? {}).map(([k, v]) => [k, interpolate(String(v), operatorVars)]),
    );
    const config = loadConfig(env);
    expect(config.TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(config.DATABASE_URL).toContain('@postgres:5432/');
    for (const contractName of ['PUBLIC_URL', 'TEMPORAL_NAMESPACE', 'SMTP_URL', 'ZOOM_MEETING_URL'])
      expect(env).toHaveProperty(contractName);
  });

  test('registers the search attributes the pack workflows upsert', () => {
    for (const key of SEARCH_ATTRIBUTES) expect(text).toContain(`${key.name}=`);
  });
});
