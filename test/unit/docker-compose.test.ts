import fs from 'node:fs';
import path from 'node:path';
import { loadConfig, loadGatewayConfig, SAMPLE_SELLER_ENV } from '../../src/infra/config';
import { composeFile, TEMPORAL_SCHEMA_STEPS, TEMPORAL_SERVER_CONFIG, TOPOLOGY, type ComposeService } from '../../scripts/lib/topology';

// docker-compose.yml is not run here (no Docker engine on these machines): these checks hold it to the topology's
// description (scripts/lib/topology.ts), which test/reliability/topology.test.ts runs as processes.
const { services } = composeFile();
const root = path.join(__dirname, '../..');

/** Resolves `${NAME:-default}` / `${NAME:?msg}` as compose does: a required variable left unset is an error. */
function interpolate(value: string, vars: Record<string, string>): string {
  return value.replace(/\$\{(\w+)(?::([-?])([^}]*))?\}/g, (_m, name: string, op?: string, arg?: string) => {
    if (vars[name] !== undefined) return vars[name];
    if (op === '?') throw new Error(`required variable ${name} is missing a value: ${arg}`);
    return op === '-' ? (arg ?? '') : '';
  });
}
const operatorVars: Record<string, string> = {
  POSTGRES_PASSWORD: 'pw',
  SMTP_URL: 'smtp://relay-user:relay-password@smtp.example.org:587',
  STRIPE_SECRET_KEY: 'sk_live_example',
  STRIPE_WEBHOOK_SECRET: 'whsec_example',
  PROVIDER_API_TOKEN: 'x'.repeat(40),
  ZOOM_MEETING_URL: 'https://zoom.us/j/123',
  ACCESS_TOKEN_SECRET: 'k'.repeat(40),
  BANK_IBAN: 'FR7630006000011234567890189',
  BANK_BIC: 'AGRIFRPPXXX',
  BANK_ACCOUNT_HOLDER: 'Jean Dupont EI',
  ...SAMPLE_SELLER_ENV,
};
const environmentOf = (s: ComposeService, vars = operatorVars) =>
  Object.fromEntries(Object.entries(s.environment ?? {}).map(([k, v]) => [k, interpolate(String(v), vars)]));
const commandOf = (s: ComposeService) => [s.entrypoint, s.command].flat().filter(Boolean).join(' ').replace(/\s+/g, ' ');
/** Host side of each published port: `127.0.0.1:8080:8080` → `127.0.0.1:8080`, `3000:3000` → `3000`. */
const published = (s: ComposeService) => (s.ports ?? []).map((p) => p.split(':').slice(0, -1).join(':'));
const serverVersion = /temporalServer: '([\d.]+)'/.exec(fs.readFileSync(path.join(root, 'scripts/provision.mjs'), 'utf8'))![1];

describe('docker-compose.yml runs the production topology of scripts/lib/topology.ts', () => {
  test('its services are the topology’s: the same names, replicas, profiles, and each starts after what it needs', () => {
    expect(Object.keys(services).sort()).toEqual(TOPOLOGY.map((s) => s.name).sort());
    for (const t of TOPOLOGY) {
      const s = services[t.name];
      const needs = Object.fromEntries(
        t.needs.map((n) => [
          n,
          { condition: TOPOLOGY.find((x) => x.name === n)!.job ? 'service_completed_successfully' : 'service_healthy' },
        ]),
      );
      expect({ service: t.name, replicas: s.deploy?.replicas ?? 1, profiles: s.profiles ?? [], needs: s.depends_on ?? {} }).toEqual({
        service: t.name,
        replicas: t.replicas ?? 1,
        profiles: t.profile ? [t.profile] : [],
        needs,
      });
      if (t.job) expect({ job: t.name, restart: s.restart }).toEqual({ job: t.name, restart: 'no' });
    }
    expect(services.worker.deploy?.replicas).toBe(2);
    expect(services.gateway.deploy?.replicas).toBe(2);
  });

  test('only the gateways are published; the Web UI and the mail catcher only on request, on the host’s loopback', () => {
    for (const t of TOPOLOGY) {
      const hosts = published(services[t.name]);
      if (t.exposure === 'public')
        expect({ service: t.name, open: hosts.length > 0 && hosts.every((h) => !h.startsWith('127.')) }).toEqual({
          service: t.name,
          open: true,
        });
      else if (t.exposure === 'operator') {
        expect({ service: t.name, hosts, profile: Boolean(t.profile) }).toEqual({
          service: t.name,
          hosts: [`127.0.0.1:${t.port}`],
          profile: true,
        });
      } else expect({ service: t.name, hosts }).toEqual({ service: t.name, hosts: [] });
    }
    expect(published(services['temporal-ui'])).toEqual(['127.0.0.1:8080']);
    expect(published(services.mailpit)).toEqual(['127.0.0.1:8025']);
    expect(services['temporal-ui'].profiles).toEqual(['admin']);
    expect(services.mailpit.profiles).toEqual(['mail-catcher']);
  });

  test('the Temporal Web UI has its write actions off (no terminating or signalling a pack from it)', () => {
    expect(environmentOf(services['temporal-ui']).TEMPORAL_DISABLE_WRITE_ACTIONS).toBe('true');
  });

  test('SMTP_URL must be given: without it the programs do not start (no default to the mail catcher)', () => {
    const { SMTP_URL: _unset, ...withoutSmtp } = operatorVars;
    for (const name of ['worker', 'gateway']) {
      expect(() => environmentOf(services[name], withoutSmtp)).toThrow(/SMTP_URL/);
      expect(String(services[name].environment?.SMTP_URL)).toMatch(/^\$\{SMTP_URL:\?/);
    }
  });

  test.each(['worker', 'gateway'])('the %s gets an environment that passes the start-up configuration check', (name) => {
    const env = environmentOf(services[name]);
    const config = name === 'gateway' ? loadGatewayConfig(env) : loadConfig(env);
    expect(config.TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(config.DATABASE_URL).toContain('@postgres:5432/');
    expect(config.SMTP_URL).toBe(operatorVars.SMTP_URL);
    for (const contractName of ['PUBLIC_URL', 'TEMPORAL_NAMESPACE', 'SMTP_URL', 'ZOOM_MEETING_URL'])
      expect(env).toHaveProperty(contractName);
  });

  test('the workers get no secret of the gateway’s: neither Stripe’s webhook secret nor the provider’s API token', () => {
    const worker = Object.keys(services.worker.environment ?? {});
    for (const secret of ['STRIPE_WEBHOOK_SECRET', 'PROVIDER_API_TOKEN', 'TRUST_PROXY']) expect(worker).not.toContain(secret);
    expect(Object.keys(services.gateway.environment ?? {})).toEqual(
      expect.arrayContaining(['STRIPE_WEBHOOK_SECRET', 'PROVIDER_API_TOKEN']),
    );
  });

  test('the Temporal server is the version the topology test builds, with the same configuration file', () => {
    expect(services.temporal.image).toBe(`temporalio/server:${serverVersion}`);
    expect(services['temporal-schema'].image).toMatch(new RegExp(`^temporalio/admin-tools:${serverVersion.replace(/\./g, '\\.')}-`));
    expect(services.temporal.volumes).toEqual([`./${path.relative(root, TEMPORAL_SERVER_CONFIG.root)}:/etc/imaginasite/temporal:ro`]);
    expect(commandOf(services.temporal)).toContain(
      `temporal-server --root /etc/imaginasite/temporal --config ${TEMPORAL_SERVER_CONFIG.configDir} --env ${TEMPORAL_SERVER_CONFIG.env}`,
    );
    // Every variable the configuration reads without a default is given.
    const template = fs.readFileSync(
      path.join(TEMPORAL_SERVER_CONFIG.root, TEMPORAL_SERVER_CONFIG.configDir, `${TEMPORAL_SERVER_CONFIG.env}.yaml`),
      'utf8',
    );
    const required = [...template.matchAll(/env "(\w+)"(?! \| default)/g)].map((m) => m[1]);
    expect(required.length).toBeGreaterThan(0);
    expect(Object.keys(environmentOf(services.temporal))).toEqual(expect.arrayContaining([...new Set(required)]));
  });

  test('Temporal’s schema is set up by the topology’s steps, in order', () => {
    const command = commandOf(services['temporal-schema']);
    let at = 0;
    for (const step of TEMPORAL_SCHEMA_STEPS) {
      const found = command.indexOf(`temporal-sql-tool ${step.join(' ')}`, at);
      expect({ step: step.join(' '), found: found >= 0 }).toEqual({ step: step.join(' '), found: true });
      at = found;
    }
    expect(environmentOf(services['temporal-schema'])).toMatchObject({ SQL_PLUGIN: 'postgres12', SQL_HOST: 'postgres' });
  });

  test('the namespace and the search attributes come from the project’s setup step, before any worker or gateway', () => {
    expect(commandOf(services['temporal-setup'])).toContain('scripts/lib/temporal-setup.ts');
    expect(fs.existsSync(path.join(root, 'scripts/lib/temporal-setup.ts'))).toBe(true);
    for (const name of ['worker', 'gateway']) expect(services[name].depends_on).toHaveProperty('temporal-setup');
  });

  test('every long-running service has a health check', () => {
    const longRunning = Object.entries(services).filter(([, s]) => s.restart !== 'no');
    for (const [name, s] of longRunning) expect({ name, healthcheck: Boolean(s.healthcheck?.test) }).toEqual({ name, healthcheck: true });
  });
});
