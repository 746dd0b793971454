// imaginasite's production topology, described once. docker-compose.yml runs it in containers
// (test/unit/docker-compose.test.ts checks that file against this description); test/reliability/topology.test.ts
// runs it as processes of this machine (scripts/lib/production-stack.ts), with stripe-mock in Stripe's place and an
// SMTP sink in the mail relay's. What the programs read (their environment) is the compose file's own: both sides
// read it from there (`composeEnvironment`).
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { ROOT } from './supervisor';

export type Exposure =
  /** Published to the world (behind the operator's TLS proxy). */
  | 'public'
  /** Published on the host's loopback only, for the operator (through an SSH tunnel), and only on request. */
  | 'operator'
  /** Reachable from the other services only. */
  | 'internal';

export interface TopologyService {
  /** Its name in docker-compose.yml. */
  name: string;
  what: string;
  /** Runs to completion before the services that need it. */
  job?: boolean;
  /** How many run side by side (default 1). */
  replicas?: number;
  /** The port it serves inside the topology's network. */
  port?: number;
  exposure?: Exposure;
  /** Started only when asked for (`docker compose --profile <profile> up`). */
  profile?: string;
  /** What must be ready (or, for a job, done) before it starts. */
  needs: string[];
}

export const TOPOLOGY: readonly TopologyService[] = [
  { name: 'postgres', what: 'PostgreSQL: the product’s database and Temporal’s two', port: 5432, exposure: 'internal', needs: [] },
  { name: 'temporal-schema', what: 'temporal-sql-tool: creates and migrates Temporal’s databases', job: true, needs: ['postgres'] },
  { name: 'temporal', what: 'the Temporal server on PostgreSQL', port: 7233, exposure: 'internal', needs: ['temporal-schema'] },
  {
    name: 'temporal-setup',
    what: 'the namespace and its search attributes (scripts/lib/temporal-setup.ts)',
    job: true,
    needs: ['temporal'],
  },
  { name: 'migrate', what: 'the product’s migrations (prisma migrate deploy)', job: true, needs: ['postgres'] },
  { name: 'worker', what: 'src/worker/main.ts', replicas: 2, needs: ['migrate', 'temporal-setup'] },
  { name: 'gateway', what: 'src/gateway/main.ts', replicas: 2, port: 3000, exposure: 'public', needs: ['migrate', 'temporal-setup'] },
  { name: 'temporal-ui', what: 'the Temporal Web UI, read-only', port: 8080, exposure: 'operator', profile: 'admin', needs: ['temporal'] },
  {
    name: 'mailpit',
    what: 'a mail catcher for trials (SMTP_URL=smtp://mailpit:1025)',
    port: 8025,
    exposure: 'operator',
    profile: 'mail-catcher',
    needs: [],
  },
];

export const service = (name: string): TopologyService => {
  const found = TOPOLOGY.find((s) => s.name === name);
  if (!found) throw new Error(`no service '${name}' in the topology`);
  return found;
};

/** Temporal's two databases and the schema temporal-sql-tool gives each (embedded in the tool). */
export const TEMPORAL_DATABASES = [
  { database: 'temporal', schema: 'postgresql/v12/temporal' },
  { database: 'temporal_visibility', schema: 'postgresql/v12/visibility' },
] as const;

/**
 * The `temporal-schema` job: temporal-sql-tool's arguments, one run each, in order (the connection comes from SQL_HOST,
 * SQL_PORT, SQL_USER, SQL_PASSWORD and SQL_PLUGIN=postgres12). Run again on a migrated database, each step changes
 * nothing (the database exists, version 0.0 is below the current one, no update is pending).
 */
export const TEMPORAL_SCHEMA_STEPS: ReadonlyArray<readonly string[]> = TEMPORAL_DATABASES.flatMap(({ database, schema }) => [
  ['--database', database, 'create-database'],
  ['--database', database, 'setup-schema', '-v', '0.0'],
  ['--database', database, 'update-schema', '--schema-name', schema],
]);

/** The Temporal server's configuration (a template the server renders itself) and dynamic configuration. */
export const TEMPORAL_SERVER_CONFIG = {
  root: path.join(ROOT, 'scripts/tools/temporal-server'),
  configDir: 'config',
  env: 'production',
  dynamicConfig: 'dynamicconfig.yaml',
} as const;

// ---------------------------------------------------------------- docker-compose.yml

export interface ComposeService {
  image?: string;
  build?: unknown;
  command?: unknown;
  entrypoint?: unknown;
  environment?: Record<string, string | number | boolean | null>;
  ports?: string[];
  profiles?: string[];
  depends_on?: Record<string, { condition: string }>;
  deploy?: { replicas?: number };
  healthcheck?: { test: unknown };
  restart?: string;
  volumes?: string[];
}

export const COMPOSE_FILE = path.join(ROOT, 'docker-compose.yml');

export function composeFile(): { text: string; services: Record<string, ComposeService> } {
  const text = fs.readFileSync(COMPOSE_FILE, 'utf8');
  return { text, services: (parse(text, { merge: true }) as { services: Record<string, ComposeService> }).services };
}

/** The names of the variables docker-compose.yml gives a service (its values are the operator's). */
export function composeEnvironment(name: string): string[] {
  return Object.keys(composeFile().services[name]?.environment ?? {});
}
