import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../scripts/lib/local-stack';
import { Supervisor, type ManagedProcess } from '../../scripts/lib/supervisor';
import { CONSENTS } from '../support/packs';
import { until } from '../support/until';

// `npm start` killed with its whole process group (kill -9, a closed terminal, a crash) must leave nothing running,
// then start again on the same data and find it there. Its launcher runs exactly as `npm start` runs it
// (scripts/run.mjs start), on a data folder and ports of its own (IMAGINASITE_DATA_DIR and the port variables).
const START_MS = 240_000;

/** The processes whose environment holds `NAME=value` (Linux /proc), with their command lines. */
function processesWith(name: string, value: string): Array<{ pid: number; command: string }> {
  const found: Array<{ pid: number; command: string }> = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (!fs.readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0').includes(`${name}=${value}`)) continue;
      if (/\) Z /.test(fs.readFileSync(`/proc/${entry}/stat`, 'utf8'))) continue; // ended, not reaped yet
      found.push({ pid: Number(entry), command: fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ').trim() });
    } catch {
      /* gone meanwhile */
    }
  }
  return found;
}

describe('npm start killed with its process group, then started again', () => {
  const supervisor = new Supervisor();
  let dataDir: string;
  let log: string;
  let env: NodeJS.ProcessEnv;
  let api: string;
  let launcher: ManagedProcess | undefined;
  let order: { packId: string; accessToken: string };
  /** What `npm start` started: every one carries its data folder as IMAGINASITE_STACK (scripts/lib/supervisor.ts). */
  const started = () => processesWith('IMAGINASITE_STACK', dataDir);
  const secrets = () => JSON.parse(fs.readFileSync(path.join(dataDir, 'local-secrets.json'), 'utf8')) as { providerToken: string };

  const start = async () => {
    fs.appendFileSync(log, '\n----- npm start\n');
    launcher = await supervisor.start({
      name: 'npm start',
      command: process.execPath,
      args: ['scripts/run.mjs', 'start'],
      env,
      log,
      ready: 'imaginasite is running',
      readyTimeoutMs: START_MS,
      stopSignal: 'SIGINT', // Ctrl-C: the terminal signals the launcher's whole group
      graceMs: 90_000,
    });
  };
  const pack = (token: string) => fetch(`${api}/api/packs/${order.packId}`, { headers: { authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'restart-'));
    fs.chmodSync(dataDir, 0o755); // as root, PostgreSQL runs as the 'postgres' user and must reach its folder
    log = path.join(dataDir, 'npm-start.log');
    const ports = new Set<number>();
    while (ports.size < 6) ports.add(await freePort());
    const [gateway, pg, temporal, ui, smtp, stripe] = [...ports];
    api = `http://127.0.0.1:${gateway}`;
    env = { ...process.env, IMAGINASITE_DATA_DIR: dataDir, PORT: String(gateway), EMBEDDED_PG_PORT: String(pg) };
    Object.assign(env, { TEMPORAL_DEV_PORT: String(temporal), TEMPORAL_UI_PORT: String(ui), SMTP_SINK_PORT: String(smtp) });
    Object.assign(env, { STRIPE_MOCK_PORT: String(stripe), PUBLIC_URL: api });
    // Nothing external: every service is the embedded one.
    for (const name of ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'SMTP_URL', 'STRIPE_SECRET_KEY', 'STRIPE_API_URL', 'TEMPORAL_UI_URL'])
      delete env[name];
    for (const name of ['STRIPE_WEBHOOK_SECRET', 'PROVIDER_API_TOKEN', 'ACCESS_TOKEN_SECRET', 'PROVIDER_PASSWORD_HASH']) delete env[name];
  });
  afterAll(async () => {
    await supervisor.stopAll();
    for (const p of started()) process.kill(p.pid, 'SIGKILL');
    if (!process.env.KEEP_TEST_STACK) fs.rmSync(dataDir, { recursive: true, force: true });
  }, 120_000);

  it(
    'starts on an empty data folder and takes an order',
    async () => {
      await start();
      const res = await fetch(`${api}/api/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': 'restart-test-order' },
        body: JSON.stringify({
          packCode: 'PACK_1H',
          quantity: 2,
          customer: { name: 'Camille Restart', email: 'camille.restart@example.com' },
          paymentMethod: 'bank_transfer',
          consents: CONSENTS,
        }),
      });
      expect(res.status).toBe(201);
      order = (await res.json()) as typeof order;
      expect((await pack(order.accessToken)).status).toBe(200);
    },
    START_MS + 30_000,
  );

  it('leaves nothing running once its process group is killed with SIGKILL', async () => {
    expect(started().length).toBeGreaterThanOrEqual(5); // postgres, temporal, stripe-mock, worker, gateway
    await launcher!.stop('SIGKILL', 0);
    await until(started, (ps) => ps.length === 0, 'every process npm start started to end', { timeoutMs: 30_000 });
  }, 60_000);

  it(
    'starts again on the same data folder, the order still there',
    async () => {
      await start();
      const res = await pack(order.accessToken);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ packId: order.packId, packCode: 'PACK_1H', status: 'AWAITING_PAYMENT' });
      const list = await fetch(`${api}/api/admin/packs`, { headers: { authorization: `Bearer ${secrets().providerToken}` } });
      expect(((await list.json()) as { packs: Array<{ packId: string }> }).packs.map((p) => p.packId)).toContain(order.packId);
    },
    START_MS + 30_000,
  );

  it(
    'starts again when what it started outlived it (its lifeline killed with it): the leftovers are stopped first',
    async () => {
      const lifeline = processesWith('IMAGINASITE_DATA_DIR', dataDir).filter((p) => p.command.includes('scripts/lib/reaper.mjs'));
      expect(lifeline).toHaveLength(1);
      process.kill(lifeline[0].pid, 'SIGKILL');
      await launcher!.stop('SIGKILL', 0);
      // As before the lifeline existed: the database server kept running on the folder and held postmaster.pid.
      expect(
        started()
          .map((p) => p.command)
          .join('\n'),
      ).toMatch(/postgres -D/);
      await start();
      expect(fs.readFileSync(log, 'utf8')).toMatch(/left running by an earlier start: \S*postgres -D/);
      expect((await pack(order.accessToken)).status).toBe(200);
    },
    START_MS + 30_000,
  );

  it('stops on Ctrl-C in the reverse order of its start, the gateway first and PostgreSQL last', async () => {
    await launcher!.stop();
    const lastStop = fs.readFileSync(log, 'utf8').split('[start] stopping…').pop()!;
    expect([...lastStop.matchAll(/^\[start\] (\S+) stopped \(/gm)].map((m) => m[1])).toEqual([
      'gateway',
      'worker',
      'stripe-mock',
      'smtp-sink',
      'temporal',
      'postgres',
    ]);
    expect(started()).toEqual([]);
  }, 120_000);
});
